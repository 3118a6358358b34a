/* SPDX-License-Identifier: ISC */
#include "wire/penalty.h"

/* see policy.h */
uint16_t
tes_penalty_points(uint32_t speed)
{
	if (speed >= 100)
		return 50;
	if (speed >= 70)
		return 20;
	if (speed >= 50)
		return 10;
	return 0;
}
