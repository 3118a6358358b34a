/* SPDX-License-Identifier: ISC */
/* First-run demo enrolment for `make run` (tes-officer serve --demo). */
#ifndef TES_OFFICER_DEMO_H
#define TES_OFFICER_DEMO_H

/*
 * On first run create DIR with a demo unit key (DIR/demo/unit1.key), a police
 * user "demo" and an officer user "admin" with random passwords
 * (DIR/demo/police.pw and officer.pw, 0600); on every run print the server fingerprint, the
 * officer login and a ready-to-paste tes-police command. 0 or TES_ERR_*.
 */
int
tes_demo_setup(const char *dir, const char *listen, const char *http, int *created);

#endif
