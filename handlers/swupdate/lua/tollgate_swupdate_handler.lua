-- SPDX-License-Identifier: LGPL-2.1-or-later
-- The `tollgate` script handler for SWUpdate's Lua interface (stock
-- binaries: no rebuild). In sw-description:
--
--   scripts: ( { type = "tollgate"; version = "1.4.0";
--                properties: { class = "security"; risk = "..."; }; } );
--
-- The entry's version must be the update's version (the Lua interface has no
-- access to the top-level one; `tollgate swupdate-precheck` refuses an
-- update where the two differ). Before the install the gate decides:
-- refused or deferred updates stop with a non-zero result before any
-- payload of a normal image is written; after the install the update is
-- recorded and its version staged as the pending floor. Every tollgate
-- notice also goes to SWUpdate's progress clients as an INFO message
-- {"0": {"tollgate": {...}}}. See docs/swupdate.md.
local tollgate = require("tollgate_swupdate")

local function options()
	local v = swupdate.getversion and swupdate.getversion() or nil
	local opts = {}
	if swupdate.tmpdir then
		opts.swdesc = swupdate.tmpdir() .. "sw-description"
	end
	-- getversion() gives 0.0 when SWUpdate was built outside git (release
	-- tarballs, Debian) and never the sublevel: the module then reads the
	-- version from the binary itself (tg_swu_updater_version()).
	if v and v.version and v.version > 0 then
		opts.updater_version = string.format("%d.%02d", v.version, v.patchlevel or 0)
		if v.sublevel and v.sublevel > 0 then
			opts.updater_version = opts.updater_version .. "." .. v.sublevel
		end
	end
	return opts
end

local function send(infos)
	for _, info in ipairs(infos or {}) do
		swupdate.progress(info)
	end
end

local function handler(image, phase)
	local opts = options()
	if phase == "preinst" then
		local code, message, infos = tollgate.gate(image, opts)
		send(infos)
		if code == 0 then
			swupdate.info("tollgate: %s", message)
		else
			swupdate.error("tollgate: %s", message)
		end
		return code
	elseif phase == "postinst" then
		local ok, message, infos = tollgate.installed(image, opts)
		send(infos)
		if not ok then
			-- An install tollgate cannot record is reported as failed.
			swupdate.error("tollgate: cannot record the install: %s", message)
			return 1
		end
		swupdate.info("tollgate: %s", message)
		return 0
	elseif phase == nil or phase == "postfailure" then
		-- SWUpdate 2024.05+ calls script handlers after a failed install;
		-- its Lua interface passes no phase name for that call.
		local ok, message, infos = tollgate.failed(image, opts, "SWUpdate reported the install as failed")
		send(infos)
		if not ok then
			swupdate.error("tollgate: cannot record the failure: %s", message)
		end
		return 0
	end
	-- Phases this handler does not know (a newer SWUpdate may add some): no-op.
	swupdate.trace("tollgate: phase %s not handled", tostring(phase))
	return 0
end

swupdate.register_handler(tollgate.handler_name, handler,
	swupdate.HANDLER_MASK.SCRIPT_HANDLER | swupdate.HANDLER_MASK.NO_DATA_HANDLER)
