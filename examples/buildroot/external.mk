# SPDX-License-Identifier: LGPL-2.1-or-later
include $(sort $(wildcard $(BR2_EXTERNAL_TOLLGATE_PATH)/package/*/*.mk))
