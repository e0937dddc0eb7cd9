-- SPDX-License-Identifier: LGPL-2.1-or-later
-- SWUpdate loads this file (require "swupdate_handlers") at startup when it
-- was built with Lua handlers, as Debian's binary is. It only loads
-- tollgate's handler; a system with handlers of its own adds the line below
-- to its existing swupdate_handlers.lua instead of installing this file.
require("tollgate_swupdate_handler")
