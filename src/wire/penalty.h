/* SPDX-License-Identifier: ISC */
/*
 * Penalty policy (DESIGN §4, from the original specification). The server
 * computes points from the measured speed at decision time; points never
 * come from a client or a form.
 */
#ifndef TES_WIRE_PENALTY_H
#define TES_WIRE_PENALTY_H

#include <stdint.h>

/*@ terminates \true;
    assigns \nothing;
    behavior none:   assumes speed < 50;              ensures \result == 0;
    behavior low:    assumes 50 <= speed <= 69;       ensures \result == 10;
    behavior mid:    assumes 70 <= speed <= 99;       ensures \result == 20;
    behavior high:   assumes speed >= 100;            ensures \result == 50;
    complete behaviors; disjoint behaviors;
 */
/* Points for a measured speed in km/h: 50-69 -> 10, 70-99 -> 20, >=100 -> 50, else 0. */
uint16_t
tes_penalty_points(uint32_t speed);

#endif
