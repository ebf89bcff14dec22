-- nat64handoff.lua — Wireshark/tshark dissector for the NAT64 handoff
-- protocol (draft-dupont-6man-nat64handoff-00) as nat64kit speaks it.
--
-- It agrees with the one C parser, lib/handoff_wire.c (hw_parse,
-- hw_check_to_server, hw_check_to_nat64); docs/PROTOCOL.md §2–§5 is the
-- prose. Every error hw_parse() can return is an expert info here, named
-- after enum hw_err (nat64handoff.expert.trunc for HW_E_TRUNC, ...), and
-- nat64handoff.error carries the receiver's verdict under the same names.
--
-- Use (see docs/WIRESHARK.md):
--   tshark -X lua_script:tools/wireshark/nat64handoff.lua -r capture.pcapng -Y nat64handoff
--   wireshark -X lua_script:tools/wireshark/nat64handoff.lua capture.pcapng
-- or install it as a personal plugin (loaded at every start):
--   mkdir -p ~/.local/lib/wireshark/plugins
--   cp tools/wireshark/nat64handoff.lua ~/.local/lib/wireshark/plugins/
--
-- What is dissected:
--   * UDP to or from the handoff server port (preference server_port,
--     default 6464) and to or from the NAT64 control port (preference
--     control_port, default 6464 like nat64d's; 0 = none);
--   * the §9 validation packet: UDP from the server port to UDP port 9
--     (preference validation; other port-9 traffic is left alone);
--   * any other UDP whose payload frames cleanly as a handoff control
--     message with a token, authenticator or identifier (heuristic on "udp";
--     preference heuristic, or Analyze > Enabled Protocols in Wireshark).
--   Embedded IPv4/IPv6 packets are handed to Wireshark's "ip"/"ipv6"
--   dissectors. The address and port columns keep the outer packet's.
-- Preferences (Edit > Preferences > Protocols > NAT64HANDOFF, or tshark -o):
--   nat64handoff.server_port:6464  nat64handoff.control_port:6464
--   nat64handoff.validation:TRUE   nat64handoff.heuristic:TRUE
--
-- Garbage never raises a Lua error: every range is checked against the
-- captured length before it is taken, and the dissection (and each call into
-- another dissector) runs under pcall; anything unexpected becomes the
-- expert info nat64handoff.expert.internal.

local HW_DEFAULT_PORT = 6464
local HW_DISCARD_PORT = 9
local HW_MULTI_MAX_PAYLOAD = 1232
local HW_ENTRY_DATA_LEN = 32
local HW_MAX_ENTRIES = 64
local HW_IDENT_TEXT = "[[ This is the NAT64 handoff protocol. The client is using IPv6. " ..
	"To know their real IP address you need to use this protocol or support IPv6. ]]"
local HW_IDENT_LEN = 144

local T_RESERVED, T_IDENT, T_NOOP, T_INVALID, T_TOKEN, T_TOKEN_ROT, T_AUTH, T_ENTRY, T_HINT =
	0, 1, 2, 3, 4, 5, 6, 7, 8

local nat64ho = Proto("nat64handoff", "NAT64 Handoff Protocol")

local format_names = {
	[0] = "Reserved (Teredo)",
	[3] = "Handoff message",
	[4] = "IPv4 packet",
	[6] = "IPv6 packet",
}
for i = 0, 15 do
	if format_names[i] == nil then format_names[i] = "Reserved" end
end

local type_names = {
	[T_RESERVED] = "Reserved",
	[T_IDENT] = "Protocol identifier",
	[T_NOOP] = "No-op",
	[T_INVALID] = "Invalid",
	[T_TOKEN] = "Token",
	[T_TOKEN_ROT] = "Token rotation",
	[T_AUTH] = "Remote IPv6 address authenticator",
	[T_ENTRY] = "Connection tracking entry",
	[T_HINT] = "Mapped port hint",
}
for i = 9, 15 do type_names[i] = "Reserved" end

-- Short names for the Info column.
local type_short = {
	[T_RESERVED] = "reserved", [T_IDENT] = "ident", [T_NOOP] = "no-op",
	[T_INVALID] = "invalid", [T_TOKEN] = "token", [T_TOKEN_ROT] = "token rotation",
	[T_AUTH] = "auth", [T_ENTRY] = "entry", [T_HINT] = "hint",
}

local F = {
	msg = ProtoField.none("nat64handoff.msg", "Message"),
	format = ProtoField.uint8("nat64handoff.msg.format", "Format", base.DEC, format_names, 0xf0),
	type = ProtoField.uint8("nat64handoff.msg.type", "Type", base.DEC, type_names, 0x0f),
	len = ProtoField.uint8("nat64handoff.msg.len", "Data length (16-bit units)", base.DEC),
	data_len = ProtoField.uint16("nat64handoff.msg.data_len", "Data length (octets)", base.DEC),
	data = ProtoField.bytes("nat64handoff.data", "Data"),
	ident = ProtoField.string("nat64handoff.ident", "Protocol identifier"),
	token = ProtoField.bytes("nat64handoff.token", "Token"),
	token_rotation = ProtoField.bytes("nat64handoff.token_rotation", "Token rotation (previous token)"),
	auth = ProtoField.bytes("nat64handoff.auth", "Remote IPv6 address authenticator"),
	auth_len = ProtoField.uint16("nat64handoff.auth.len", "Authenticator length (octets)", base.DEC),
	token_len = ProtoField.uint16("nat64handoff.token.len", "Token length (octets)", base.DEC),
	entry = ProtoField.none("nat64handoff.entry", "Connection tracking entry"),
	entry_mapped_port = ProtoField.uint16("nat64handoff.entry.mapped_port", "Mapped port", base.DEC),
	entry_prefix = ProtoField.ipv6("nat64handoff.entry.prefix", "NAT64 /96 prefix"),
	entry_client = ProtoField.ipv6("nat64handoff.entry.client", "Client IPv6 address"),
	entry_client_port = ProtoField.uint16("nat64handoff.entry.client_port", "Client port", base.DEC),
	entry_group = ProtoField.uint8("nat64handoff.entry.group", "Authenticator group", base.DEC),
	hint = ProtoField.uint16("nat64handoff.hint", "Mapped port hint", base.DEC),
	ip = ProtoField.bytes("nat64handoff.ip", "Embedded IP packet"),
	ip_version = ProtoField.uint8("nat64handoff.ip.version", "Embedded IP version", base.DEC),
	ip_len = ProtoField.uint16("nat64handoff.ip.len", "Embedded IP packet length", base.DEC),
	undecoded = ProtoField.bytes("nat64handoff.undecoded", "Undecodable octets"),
	trailing = ProtoField.bytes("nat64handoff.trailing", "Trailing octets after the embedded packet (not parsed)"),
	entries = ProtoField.uint8("nat64handoff.entries", "Entries", base.DEC),
	multi = ProtoField.bool("nat64handoff.multi", "Multiple-entry format (section 7)"),
	direction = ProtoField.string("nat64handoff.direction", "Direction"),
	-- enum hw_err without the HW_E_ prefix, lower case (trunc, format, dup,
	-- ip_header, badlen, ident, multi, too_many, no_token,
	-- no_payload, entry_needs, ipv6_needs_auth, server_pattern)
	error = ProtoField.string("nat64handoff.error", "Dropped by the receiver as"),
	validation = ProtoField.bool("nat64handoff.validation", "Validation packet (section 9, to UDP port 9)"),
	bounce = ProtoField.bool("nat64handoff.bounce", "Validation bounce (embedded IPv4 to UDP port 9)"),
}
local fields = {}
for _, f in pairs(F) do fields[#fields + 1] = f end
nat64ho.fields = fields

local MAL, PROT = expert.group.MALFORMED, expert.group.PROTOCOL
local ERR, WARN = expert.severity.ERROR, expert.severity.WARN
-- Names follow enum hw_err (lib/handoff_wire.h) and hw_strerror().
local E = {
	empty = ProtoExpert.new("nat64handoff.expert.empty", "Empty payload", MAL, ERR),
	trunc = ProtoExpert.new("nat64handoff.expert.trunc", "Message runs past the end of the payload", MAL, ERR),
	format = ProtoExpert.new("nat64handoff.expert.format", "Message of unknown or reserved format", MAL, ERR),
	dup = ProtoExpert.new("nat64handoff.expert.dup", "Message type repeated", MAL, ERR),
	ip_header = ProtoExpert.new("nat64handoff.expert.ip_header", "Embedded IP packet with a bad header", MAL, ERR),
	badlen = ProtoExpert.new("nat64handoff.expert.badlen", "Identifier, entry or hint with the wrong length", MAL, ERR),
	ident = ProtoExpert.new("nat64handoff.expert.ident", "Wrong protocol identifier text", MAL, ERR),
	multi = ProtoExpert.new("nat64handoff.expert.multi", "Malformed multiple-entry packet", MAL, ERR),
	too_many = ProtoExpert.new("nat64handoff.expert.too_many", "Too many entries", MAL, ERR),
	-- composition (hw_check_to_server / hw_check_to_nat64): the packet frames
	-- correctly but the receiver drops it.
	composition = ProtoExpert.new("nat64handoff.expert.composition", "Composition rule broken", PROT, WARN),
	entry_port = ProtoExpert.new("nat64handoff.expert.entry_port", "Mapped port the server never adopts (0, 9, 3544 or the handoff port)", PROT, WARN),
	reserved_type = ProtoExpert.new("nat64handoff.expert.reserved_type", "Reserved message type (ignored by the receiver)", PROT, expert.severity.NOTE),
	internal = ProtoExpert.new("nat64handoff.expert.internal", "Dissector error (please report)", MAL, ERR),
}
local experts = {}
for _, e in pairs(E) do experts[#experts + 1] = e end
nat64ho.experts = experts

nat64ho.prefs.server_port = Pref.uint("Handoff server UDP port", HW_DEFAULT_PORT,
	"UDP port of the NAT64 handoff server (nat64-handoffd --port; the draft leaves it TBD)")
nat64ho.prefs.control_port = Pref.uint("NAT64 control UDP port", HW_DEFAULT_PORT,
	"UDP port the NAT64 sends control packets from (nat64d's default is 6464; 0 = none)")
nat64ho.prefs.validation = Pref.bool("Dissect validation packets (UDP port 9)", true,
	"Dissect UDP from the server port to port 9 (section 9 validation packets)")
nat64ho.prefs.heuristic = Pref.bool("Heuristic detection on any UDP port", true,
	"Recognise control messages on other ports (payloads that frame cleanly and carry a token, " ..
	"authenticator or identifier)")

local ip_dissector = Dissector.get("ip")
local ipv6_dissector = Dissector.get("ipv6")

-- ---------------------------------------------------------------------------
-- Framing, independent of the tree: returns a list of messages and errors
-- exactly as hw_parse() would decide (first error = hw_parse's verdict), but
-- keeps going where it can so that the tree shows as much as possible.

local function ip_frame(tvb, off, left)
	-- hw_ip_frame(): returns (length to show, error name or nil)
	local first = tvb(off, 1):uint()
	local ver = math.floor(first / 16)
	local n
	if ver == 4 then
		local ihl = (first % 16) * 4
		if left < 4 then return left, "trunc" end
		n = tvb(off + 2, 2):uint()
		if ihl < 20 or n < ihl then return left, "ip_header" end
	else
		if left < 6 then return left, "trunc" end
		n = tvb(off + 4, 2):uint()
		if n == 0 then return left, "ip_header" end
		n = n + 40
	end
	if n > left then return left, "trunc" end
	return n, nil
end

-- parse(tvb): { msgs = {...}, errs = {...}, info... }
-- msg = { off, len, kind = "msg"|"ip"|"bad", ver, type, dlen, err }
local function parse(tvb)
	local len = tvb:len()
	local p = { msgs = {}, errs = {}, seen = {}, n_auth = 0, n_entries = 0, order = {}, ip_version = 0 }
	local function err(name, m)
		p.errs[#p.errs + 1] = name
		if m then
			m.errs = m.errs or {}
			m.errs[#m.errs + 1] = name
		end
	end
	if len == 0 then
		err("empty")
		return p
	end
	local off = 0
	while off < len do
		local left = len - off
		local first = tvb(off, 1):uint()
		local fmt = math.floor(first / 16)
		if fmt == 4 or fmt == 6 then
			local m = { off = off, kind = "ip", ver = fmt }
			local n, e = ip_frame(tvb, off, left)
			m.len = n
			if e then err(e, m) end
			m.framed = e == nil
			if p.ip_version == 0 then p.ip_version = fmt end
			p.msgs[#p.msgs + 1] = m
			-- like hw_parse(): the packet ends the parse; what follows
			-- (link padding, a message) is shown, not parsed
			if n < left then
				p.msgs[#p.msgs + 1] = { off = off + n, len = left - n, kind = "trailing" }
			end
			break
		elseif fmt ~= 3 then
			local m = { off = off, len = left, kind = "bad", fmt = fmt }
			err("format", m)
			p.msgs[#p.msgs + 1] = m
			break
		else
			local m = { off = off, kind = "msg" }
			p.msgs[#p.msgs + 1] = m
			if left < 2 then
				m.len = left
				m.type = first % 16
				err("trunc", m)
				break
			end
			local t = first % 16
			local dlen = tvb(off + 1, 1):uint() * 2
			m.type, m.dlen = t, dlen
			if 2 + dlen > left then
				m.len = left
				err("trunc", m)
				break
			end
			m.len = 2 + dlen
			if t == T_IDENT then
				if p.seen[t] then err("dup", m)
				elseif dlen ~= HW_IDENT_LEN then err("badlen", m)
				elseif tvb(off + 2, dlen):string() ~= HW_IDENT_TEXT then err("ident", m) end
			elseif t == T_TOKEN or t == T_TOKEN_ROT then
				if p.seen[t] then err("dup", m) end
			elseif t == T_AUTH then
				if p.n_auth >= HW_MAX_ENTRIES then err("too_many", m) end
				p.n_auth = p.n_auth + 1
				m.group = p.n_auth
				p.order[#p.order + 1] = true
			elseif t == T_ENTRY then
				if dlen ~= HW_ENTRY_DATA_LEN then
					err("badlen", m)
				else
					if p.n_entries >= HW_MAX_ENTRIES then err("too_many", m) end
					p.n_entries = p.n_entries + 1
					m.group = p.n_auth > 0 and p.n_auth or nil
					p.order[#p.order + 1] = false
				end
			elseif t == T_HINT then
				if p.seen[t] then err("dup", m)
				elseif dlen ~= 2 then err("badlen", m) end
			end
			p.seen[t] = true
			off = off + 2 + dlen
		end
	end
	-- §7 (hw_parse's tail): several 6s or several 7s.
	if p.n_auth > 1 or p.n_entries > 1 then
		p.multi = true
		if len > HW_MULTI_MAX_PAYLOAD or p.ip_version ~= 0 then
			err("multi")
		else
			local o = p.order
			local bad = #o == 0 or not o[1]
			for i = 1, #o do
				if o[i] and (i == #o or o[i + 1]) then bad = true end
			end
			if bad then err("multi") end
		end
	elseif p.n_auth == 1 and p.n_entries == 1 then
		-- single entry, order free: the one authenticator covers it
		for _, m in ipairs(p.msgs) do
			if m.kind == "msg" and (m.type == T_ENTRY or m.type == T_AUTH) then m.group = 1 end
		end
	else
		-- no group (hw_parse: n_groups = 0)
		for _, m in ipairs(p.msgs) do m.group = nil end
	end
	return p
end

-- hw_check_to_server() / hw_check_to_nat64(), for a packet that parsed:
-- nil, or the hw_err name and its hw_strerror() text.
local function check_to_server(p)
	local s = p.seen
	if not s[T_TOKEN] then return "no_token", "no token" end
	if p.multi then
		if not s[T_IDENT] then return "entry_needs", "entry without identifier or authenticator" end
		if p.ip_version ~= 0 then return "multi", "malformed multiple-entry packet" end
		return nil
	end
	if p.n_entries == 0 and p.ip_version == 0 then return "no_payload", "no entry and no IP packet" end
	if p.n_entries > 0 and (not s[T_IDENT] or not s[T_AUTH]) then
		return "entry_needs", "entry without identifier or authenticator"
	end
	if p.ip_version == 6 and not s[T_AUTH] then return "ipv6_needs_auth", "IPv6 packet without authenticator" end
	return nil
end

local function check_to_nat64(p)
	local s = p.seen
	if p.multi then return "multi", "malformed multiple-entry packet (never sent to a NAT64)" end
	if s[T_TOKEN] and p.ip_version == 4 then return nil end
	if s[T_AUTH] and p.ip_version == 6 then return nil end
	if s[T_AUTH] and p.n_entries > 0 then return nil end
	return "server_pattern", "server packet matches none of the three patterns"
end

-- ---------------------------------------------------------------------------
-- Tree

local function v6_prefix_addr(tvb, off)
	-- 12 octets of /96 prefix + 4 zero octets -> Address
	local g = {}
	for i = 0, 5 do g[#g + 1] = string.format("%x", tvb(off + 2 * i, 2):uint()) end
	g[#g + 1] = "0"
	g[#g + 1] = "0"
	return Address.ipv6(table.concat(g, ":"))
end

-- An embedded IPv4 packet that is UDP from the server port to port 9: the
-- NAT64's bounce of a validation packet.
local function is_bounce(tvb, off, n)
	if n < 28 then return false end
	local ihl = (tvb(off, 1):uint() % 16) * 4
	if ihl < 20 or n < ihl + 8 or tvb(off + 9, 1):uint() ~= 17 then return false end
	return tvb(off + ihl, 2):uint() == nat64ho.prefs.server_port and
		tvb(off + ihl + 2, 2):uint() == HW_DISCARD_PORT
end

local function call_sub(d, tvb, pinfo, tree)
	if d == nil then return false end
	local ok = pcall(function() d:call(tvb, pinfo, tree) end)
	return ok
end

local function dissect(tvb, pinfo, tree, validation)
	local len = tvb:len()
	local sport, dport = pinfo.src_port, pinfo.dst_port
	local src, dst = pinfo.src, pinfo.dst
	local sp = nat64ho.prefs.server_port
	local root = tree:add(nat64ho, tvb())
	local p = parse(tvb)
	local info = {}
	local subcalls = {}

	-- direction, and the NAT64 address for entry summaries
	local dir, nat64_addr
	if validation then
		dir = "to_nat64"
		root:add(F.validation, true):set_generated()
		root:add(F.direction, "server -> NAT64 (validation, port 9)"):set_generated()
		nat64_addr = dst
	elseif dport == sp and sport ~= sp then
		dir = "to_server"
		root:add(F.direction, "NAT64 -> server"):set_generated()
		nat64_addr = src
	elseif sport == sp and dport ~= sp then
		dir = "to_nat64"
		root:add(F.direction, "server -> NAT64"):set_generated()
		nat64_addr = dst
	else
		root:add(F.direction, "unknown"):set_generated()
	end

	if p.errs[1] == "empty" then
		root:add_proto_expert_info(E.empty)
	end

	for _, m in ipairs(p.msgs) do
		local mr = tvb(m.off, m.len)
		if m.kind == "trailing" then
			root:add(F.trailing, mr):set_text(string.format("Trailing octets, not parsed (%d)", m.len))
		elseif m.kind == "bad" then
			local t = root:add(F.undecoded, mr)
			t:add(F.format, tvb(m.off, 1))
			t:add_proto_expert_info(E.format, string.format("Message of reserved format %d: the whole packet is dropped", m.fmt))
			info[#info + 1] = string.format("format %d?", m.fmt)
		elseif m.kind == "ip" then
			local t = root:add(F.ip, mr)
			t:set_text(string.format("Embedded IPv%d packet (%d octets)", m.ver, m.len))
			t:add(F.format, tvb(m.off, 1))
			t:add(F.ip_version, m.ver):set_generated()
			t:add(F.ip_len, m.len):set_generated()
			for _, e in ipairs(m.errs or {}) do t:add_proto_expert_info(E[e]) end
			local name = "IPv" .. m.ver
			if m.ver == 4 and m.framed and is_bounce(tvb, m.off, m.len) then
				root:add(F.bounce, true):set_generated()
				name = "IPv4 (validation bounce)"
			end
			info[#info + 1] = name
			if m.framed then
				subcalls[#subcalls + 1] = { m.ver == 4 and ip_dissector or ipv6_dissector, tvb(m.off, m.len):tvb() }
			else
				-- cut short or a header hw_parse refuses: raw octets only
				t:add(F.undecoded, mr)
			end
		else
			local t = root:add(F.msg, mr)
			local tname = type_names[m.type] or "?"
			t:set_text(tname)
			t:add(F.format, tvb(m.off, 1))
			t:add(F.type, tvb(m.off, 1))
			if m.len >= 2 then
				t:add(F.len, tvb(m.off + 1, 1))
				t:add(F.data_len, m.dlen):set_generated()
			end
			local complete = m.len >= 2 and m.len == 2 + m.dlen
			local d_off, d_len = m.off + 2, m.dlen or 0
			if complete then
				local dr = tvb(d_off, d_len)
				local ty = m.type
				local short = type_short[ty] or "reserved"
				if ty == T_IDENT then
					t:add(F.ident, dr)
				elseif ty == T_TOKEN or ty == T_TOKEN_ROT or ty == T_AUTH then
					local f = ty == T_TOKEN and F.token or ty == T_TOKEN_ROT and F.token_rotation or F.auth
					local it = t:add(f, dr)
					if d_len == 0 then it:append_text(" (empty)") end
					if ty == T_AUTH then
						t:add(F.auth_len, d_len):set_generated()
						if m.group then t:add(F.entry_group, m.group):set_generated() end
					elseif ty == T_TOKEN then
						t:add(F.token_len, d_len):set_generated()
					end
					t:append_text(string.format(" (%d octets)", d_len))
				elseif ty == T_ENTRY and d_len == HW_ENTRY_DATA_LEN then
					t:add(F.entry, dr):set_hidden()
					t:add(F.entry_mapped_port, tvb(d_off, 2))
					local pfx = v6_prefix_addr(tvb, d_off + 2)
					t:add(F.entry_prefix, tvb(d_off + 2, 12), pfx):set_text(
						"NAT64 /96 prefix: " .. tostring(pfx) .. "/96")
					local client = tvb(d_off + 14, 16):ipv6()
					t:add(F.entry_client, tvb(d_off + 14, 16))
					t:add(F.entry_client_port, tvb(d_off + 30, 2))
					if m.group then t:add(F.entry_group, m.group):set_generated() end
					local mp, cp = tvb(d_off, 2):uint(), tvb(d_off + 30, 2):uint()
					if mp == 0 or mp == 9 or mp == 3544 or mp == sp then
						t:add_proto_expert_info(E.entry_port)
					end
					-- the audit log's form: nat64:port [client]:cport
					local where = nat64_addr and (tostring(nat64_addr) .. ":") or "port "
					short = string.format("entry %s%d [%s]:%d", where, mp, tostring(client), cp)
					t:append_text(string.format(": %s%d [%s]:%d via %s/96", where, mp,
						tostring(client), cp, tostring(pfx)))
				elseif ty == T_HINT and d_len == 2 then
					t:add(F.hint, dr)
					short = "hint " .. tvb(d_off, 2):uint()
					t:append_text(": " .. tvb(d_off, 2):uint())
				else
					if d_len > 0 then t:add(F.data, dr) end
					if ty == T_RESERVED or ty > T_HINT then
						t:add_proto_expert_info(E.reserved_type)
						short = "type " .. ty
					end
				end
				info[#info + 1] = short
			else
				if m.len > 2 then t:add(F.data, tvb(d_off, m.len - 2)) end
				info[#info + 1] = (type_short[m.type] or "type " .. tostring(m.type)) .. "?"
			end
			for _, e in ipairs(m.errs or {}) do
				if e == "trunc" then
					t:add_proto_expert_info(E.trunc, string.format(
						"Message runs past the end of the payload (%d of %d octets)",
						m.len, 2 + (m.dlen or 0)))
				elseif e == "badlen" then
					local want = m.type == T_IDENT and 2 + HW_IDENT_LEN or m.type == T_ENTRY and
						2 + HW_ENTRY_DATA_LEN or 4
					t:add_proto_expert_info(E.badlen, string.format(
						"%s with the wrong length: %d octets of data, %d expected",
						tname, m.dlen or 0, want - 2))
				else
					t:add_proto_expert_info(E[e])
				end
			end
		end
	end

	root:add(F.entries, p.n_entries):set_generated()
	if p.multi then root:add(F.multi, true):set_generated() end
	-- packet-level errors (not tied to one message)
	for _, e in ipairs(p.errs) do
		if e == "multi" then root:add_proto_expert_info(E.multi) end
	end

	-- The receiver's verdict: hw_parse()'s first error, else the
	-- composition check of the direction (when the ports tell it).
	local verdict, dropped = p.errs[1], nil
	if verdict then
		root:add(F.error, verdict):set_generated()
	else
		local name, text
		if dir == "to_server" then name, text = check_to_server(p)
		elseif dir == "to_nat64" then name, text = check_to_nat64(p) end
		if name then
			dropped = name
			root:add(F.error, name):set_generated()
			root:add_proto_expert_info(E.composition, "Composition rule broken: " .. text)
		end
	end
	root:append_text(string.format(", %d message%s%s", #p.msgs, #p.msgs == 1 and "" or "s",
		verdict and " [MALFORMED: " .. verdict .. "]" or ""))

	-- Embedded packets last: the ip/ipv6 dissectors overwrite pinfo's
	-- addresses and ports, which are restored for the columns afterwards.
	-- (an exception inside them is shown by Wireshark as "Malformed Packet")
	for _, s in ipairs(subcalls) do call_sub(s[1], s[2], pinfo, tree) end
	pinfo.src, pinfo.dst = src, dst
	pinfo.src_port, pinfo.dst_port = sport, dport

	-- Info: runs of the same item folded ("no-op x3"), at most 12 items.
	local folded, last, run = {}, nil, 0
	local function flush()
		if last then folded[#folded + 1] = run > 1 and (last .. " x" .. run) or last end
	end
	for _, it in ipairs(info) do
		if it == last then run = run + 1 else flush(); last, run = it, 1 end
	end
	flush()
	if #folded > 12 then
		local n = #folded
		for i = n, 12, -1 do folded[i] = nil end
		folded[12] = string.format("... (%d more)", n - 11)
	end
	local summary = "NAT64 handoff: " .. (validation and "validation: " or "") ..
		(#folded > 0 and table.concat(folded, ", ") or "empty")
	if verdict then
		summary = summary .. " [malformed: " .. verdict .. "]"
	elseif dropped then
		summary = summary .. " [dropped: " .. dropped .. "]"
	end
	-- The embedded packet's dissectors may have fenced the columns; the
	-- summary of the outermost handoff layer wins.
	pinfo.cols.protocol:clear_fence()
	pinfo.cols.protocol = "NAT64HO"
	pinfo.cols.info:clear_fence()
	pinfo.cols.info = summary
	return len
end

-- pcall-wrapped entry point: garbage must never surface as a Lua error.
local function safe_dissect(tvb, pinfo, tree, validation)
	local ok, res = pcall(dissect, tvb, pinfo, tree, validation)
	if ok then return res end
	pcall(function()
		local t = tree:add(nat64ho, tvb())
		t:add_proto_expert_info(E.internal, "Dissector error: " .. tostring(res))
	end)
	return tvb:len()
end

local function our_port(port)
	local pr = nat64ho.prefs
	return port ~= 0 and (port == pr.server_port or port == pr.control_port)
end

function nat64ho.dissector(tvb, pinfo, tree)
	local sport, dport = pinfo.src_port, pinfo.dst_port
	local pr = nat64ho.prefs
	-- Registered on port 9 only for §9 validation packets; leave other
	-- port-9 traffic to whoever wants it.
	if dport == HW_DISCARD_PORT and sport == pr.server_port and pr.validation then
		return safe_dissect(tvb, pinfo, tree, true)
	end
	if not our_port(sport) and not our_port(dport) then return 0 end
	return safe_dissect(tvb, pinfo, tree, false)
end

-- Heuristic: the payload frames cleanly (no hw_parse error) and carries a
-- token, authenticator or identifier, and starts with a handoff message.
local function heuristic(tvb, pinfo, tree)
	if not nat64ho.prefs.heuristic then return false end
	local ok, accept = pcall(function()
		if tvb:len() < 2 or math.floor(tvb(0, 1):uint() / 16) ~= 3 then return false end
		local p = parse(tvb)
		return #p.errs == 0 and (p.seen[T_TOKEN] or p.seen[T_AUTH] or p.seen[T_IDENT]) and true or false
	end)
	if not ok or not accept then return false end
	safe_dissect(tvb, pinfo, tree, false)
	return true
end
nat64ho:register_heuristic("udp", heuristic)

-- Port registration, redone when the preferences change.
local udp_table = DissectorTable.get("udp.port")
local registered = {}

local function register_ports()
	for port in pairs(registered) do udp_table:remove(port, nat64ho) end
	registered = {}
	local pr = nat64ho.prefs
	for _, port in ipairs({ pr.server_port, pr.control_port,
			pr.validation and HW_DISCARD_PORT or 0 }) do
		if port ~= 0 and not registered[port] then
			udp_table:add(port, nat64ho)
			registered[port] = true
		end
	end
end

function nat64ho.prefs_changed()
	register_ports()
end

register_ports()
