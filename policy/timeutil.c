/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Work in progress: see the issue tracker. */
#include "tollgate/tollgate.h"
