// The sandbox prelude: trusted Lua run once at creation, after base, string, table, math and
// utf8 are opened (and next, pairs, tostring, string.find and string.match replaced by the
// deterministic and step-counted ones). It seeds math.random, removes file access and bytecode,
// wraps load, setmetatable, collectgarbage, print and math.randomseed, locks the string
// metatable, builds string.gmatch and string.gsub on the step-counted matcher, and charges the
// instruction budget for C library loops the count hook cannot see.

let sandboxPrelude = #"""
local seed, emit, charge, iterate, maxstring = ...
local type, select, error, rawget, tostring, tonumber, setmetatable, load, getmetatable, collectgarbage =
      type, select, error, rawget, tostring, tonumber, setmetatable, load, getmetatable, collectgarbage
local concat, insert, remove, move, unpack, sort =
      table.concat, table.insert, table.remove, table.move, table.unpack, table.sort
local rep, byte, sub, find, format = string.rep, string.byte, string.sub, string.find, string.format
local mathtype, tointeger = math.type, math.tointeger
local utf8len, utf8offset, utf8codepoint = utf8.len, utf8.offset, utf8.codepoint
local strunpack, packsize = string.unpack, string.packsize
local randomseed, log, min = math.randomseed, math.log, math.min

-- Deterministic: the level's seed, and no way back to a time-based seed.
randomseed(seed)
function math.randomseed(...)
  if select("#", ...) == 0 then
    error("math.randomseed needs a seed in the sandbox (it would otherwise use the time)", 2)
  end
  return randomseed(...)
end

-- No files, no bytecode, no warnings on stderr.
dofile, loadfile, warn = nil, nil, nil
string.dump = nil

-- Text chunks only, in the sandbox's environment unless one is given. A reader function's
-- pieces are gathered first (at most maxstring bytes), and compiling costs one instruction
-- per byte of source.
function _G.load(chunk, chunkname, mode, ...)
  if type(chunk) == "function" then
    local pieces, total = {}, 0
    while true do
      local piece = chunk()
      if piece == nil or piece == "" then break end
      if type(piece) ~= "string" then return nil, "reader function must return a string" end
      total = total + #piece
      if total > maxstring then return nil, "chunk longer than " .. maxstring .. " bytes" end
      pieces[#pieces + 1] = piece
    end
    chunk = concat(pieces)
  end
  if type(chunk) == "string" then
    if byte(chunk, 1) == 27 then
      return nil, "binary chunks are not allowed in the sandbox (text only)"
    end
    charge(#chunk)
  end
  if select("#", ...) > 0 then return load(chunk, chunkname, "t", (...)) end
  return load(chunk, chunkname, "t")
end

-- Finalisers would run outside the budget and the protected call; weak tables lose entries
-- when the collector runs, which differs between runs.
function _G.setmetatable(t, mt)
  if type(mt) == "table" and rawget(mt, "__gc") ~= nil then
    error("__gc is not allowed in the sandbox", 2)
  end
  if type(mt) == "table" and rawget(mt, "__mode") ~= nil then
    error("weak tables (__mode) are not allowed in the sandbox: what they keep depends on when memory is collected", 2)
  end
  return setmetatable(t, mt)
end

-- The shared string metatable cannot be reached: getmetatable("") is false.
getmetatable("").__metatable = false

-- Memory use depends on Lua's per-process hash seed, so even "count" would differ between runs.
function _G.collectgarbage(option)
  error("collectgarbage is not available in the sandbox (memory use differs between runs)", 2)
end

function _G.print(...)
  local parts, n = { ... }, select("#", ...)
  for i = 1, n do parts[i] = tostring(parts[i]) end
  emit(concat(parts, "\t", 1, n))
end

-- C loops the count hook cannot see: charge one instruction per element they will visit.
local function number(x)
  if type(x) == "number" then return x end
  if type(x) == "string" then return tonumber(x) end
  return nil
end
local function length(t)
  if type(t) ~= "table" then return 0 end
  local n = #t
  return number(n) or 0
end
local function span(first, last)
  if first and last and last >= first then return last - first + 1 end
  return 0
end

function table.insert(t, ...)
  if select("#", ...) >= 2 then charge(span(number((...)), length(t) + 1)) end
  return insert(t, ...)
end
function table.remove(t, pos)
  if pos ~= nil then charge(span(number(pos), length(t))) end
  return remove(t, pos)
end
function table.move(a1, f, e, t, a2)
  charge(span(number(f), number(e)))
  return move(a1, f, e, t, a2)
end
function table.concat(t, sep, i, j)
  charge(span(number(i) or 1, j == nil and length(t) or number(j)))
  return concat(t, sep, i, j)
end
function table.unpack(t, i, j)
  charge(span(number(i) or 1, j == nil and length(t) or number(j)))
  return unpack(t, i, j)
end

-- table.sort with a comparator is a stable merge sort (Lua's quicksort may pick random pivots,
-- which makes the order of equal elements vary between runs); without one, the C sort.
local function mergesort(t, n, lt)
  local a, b = {}, {}
  for i = 1, n do a[i] = t[i] end
  local width = 1
  while width < n do
    local lo = 1
    while lo <= n do
      local mid, hi = min(lo + width, n + 1), min(lo + 2 * width, n + 1)
      local l, r, k = lo, mid, lo
      while l < mid and r < hi do
        if lt(a[r], a[l]) then b[k] = a[r]; r = r + 1 else b[k] = a[l]; l = l + 1 end
        k = k + 1
      end
      while l < mid do b[k] = a[l]; l = l + 1; k = k + 1 end
      while r < hi do b[k] = a[r]; r = r + 1; k = k + 1 end
      lo = hi
    end
    a, b = b, a
    width = width * 2
  end
  for i = 1, n do t[i] = a[i] end
end
-- Without a comparator, the C sort when the values are all strings, all integers or all
-- floats (equal values are then identical); otherwise (tables with __lt, integers mixed with
-- equal floats) the stable sort, so that equal elements keep their order.
local function less(a, b) return a < b end
function table.sort(t, comp)
  if type(t) == "table" and comp ~= nil and type(comp) == "function" then
    return mergesort(t, length(t), comp)
  end
  local n = length(t)
  if comp == nil and type(t) == "table" and n > 1 then
    charge(n)
    local first = t[1]
    local kind = type(first) == "number" and mathtype(first) or type(first)
    local uniform = kind == "string" or kind == "integer" or kind == "float"
    for i = 2, n do
      local v = t[i]
      if (type(v) == "number" and mathtype(v) or type(v)) ~= kind then uniform = false break end
    end
    if not uniform then return mergesort(t, n, less) end
  end
  if n > 1 then charge(n * log(n, 2)) end
  return sort(t, comp)
end

-- string.rep("", huge) loops in C without allocating: answer it directly. A result longer
-- than the string limit fails before C builds it.
function string.rep(s, n, sep)
  local count = number(n) or 0
  if s == "" and (sep == nil or sep == "") and count > 1 then n = 1 end
  if type(s) == "string" or type(s) == "number" then
    local size = #tostring(s) * count + (type(sep) == "string" and #sep * (count - 1) or 0)
    if size > maxstring then
      error("string.rep: the result would be " .. format("%.0f", size) .. " bytes; strings are at most " .. maxstring, 2)
    end
  end
  return rep(s, n, sep)
end

-- C functions that read a whole string without allocating: one instruction per 16 bytes.
local function strlen(s)
  if type(s) == "string" then return #s end
  return 0
end
-- (Each original is a local of the library function's own name, so that argument errors name it.)
do local len = utf8len function utf8.len(s, ...) charge(strlen(s) >> 4) return len(s, ...) end end
do local offset = utf8offset function utf8.offset(s, ...) charge(strlen(s) >> 4) return offset(s, ...) end end
do local codepoint = utf8codepoint
  function utf8.codepoint(s, ...) charge(strlen(s) >> 4) return codepoint(s, ...) end end
do local unpack = strunpack
  function string.unpack(fmt, s, ...) charge((strlen(fmt) + strlen(s)) >> 4) return unpack(fmt, s, ...) end end
do local packsize = packsize function string.packsize(fmt) charge(strlen(fmt) >> 4) return packsize(fmt) end end
do local tonumber = tonumber function _G.tonumber(v, ...) charge(strlen(v) >> 4) return tonumber(v, ...) end end

-- format: %s of a table or function prints its id (tostring), never an address; %p is refused.
function string.format(fmt, ...)
  if type(fmt) == "string" then
    charge(#fmt >> 4)
    local bare = fmt
    if find(fmt, "%%", 1, true) then bare = (string.gsub(fmt, "%%%%", "")) end
    if find(bare, "%%[-+ #0-9.]*p") then error("string.format: %p (an address) is not available in the sandbox", 2) end
  end
  local n = select("#", ...)
  if n == 0 then return format(fmt) end
  local args = { ... }
  for i = 1, n do
    local t = type(args[i])
    if t == "table" or t == "function" or t == "userdata" or t == "thread" then args[i] = tostring(args[i]) end
  end
  return format(fmt, unpack(args, 1, n))
end

-- gmatch and gsub on the step-counted matcher (Lua 5.4's semantics: an empty match right
-- after the previous match is skipped; gmatch treats '^' literally).
local pack = table.pack
local function checkstring(v, i, name)
  local t = type(v)
  if t == "number" then return tostring(v) end
  if t ~= "string" then
    error("bad argument #" .. i .. " to '" .. name .. "' (string expected, got " .. (v == nil and "no value" or t) .. ")", 3)
  end
  return v
end

function string.gmatch(s, p, init)
  s, p = checkstring(s, 1, "gmatch"), checkstring(p, 2, "gmatch")
  local len = #s
  local pos = number(init) or 1
  if pos < 0 then pos = len + pos + 1 if pos < 1 then pos = 1 end elseif pos == 0 then pos = 1 end
  if pos > len + 1 then pos = len + 1 end
  local last = 0
  return function()
    if pos > len + 1 then return nil end
    local r = pack(iterate(s, p, pos, last, false))
    if r[1] == nil then pos = len + 2 return nil end
    pos, last = r[2], r[2]
    return unpack(r, 3, r.n)
  end
end

-- The replacement string as pieces: literal text and capture numbers (0 = the whole match).
local function replacementPieces(repl)
  local pieces, i, n = {}, 1, #repl
  while i <= n do
    local j = find(repl, "%", i, true)
    if not j then pieces[#pieces + 1] = sub(repl, i) break end
    if j > i then pieces[#pieces + 1] = sub(repl, i, j - 1) end
    local c = byte(repl, j + 1)
    if c == 37 then pieces[#pieces + 1] = "%"
    elseif c and c >= 48 and c <= 57 then pieces[#pieces + 1] = c - 48
    else error("invalid use of '%' in replacement string", 3) end
    i = j + 2
  end
  return pieces
end

function string.gsub(s, p, repl, n)
  s, p = checkstring(s, 1, "gsub"), checkstring(p, 2, "gsub")
  local tr = type(repl)
  if tr == "number" then repl, tr = tostring(repl), "string" end
  if tr ~= "string" and tr ~= "table" and tr ~= "function" then
    error("bad argument #3 to 'gsub' (string/function/table expected, got " .. (repl == nil and "no value" or tr) .. ")", 2)
  end
  local pieces = tr == "string" and replacementPieces(repl)
  local max = n == nil and #s + 1 or tointeger(number(n)) or error("bad argument #4 to 'gsub' (number has no integer representation)", 2)
  local anchored = byte(p, 1) == 94
  local out, count, pos, last = {}, 0, 1, 0
  while count < max do
    local r = pack(iterate(s, p, pos, last, anchored))
    local start, after = r[1], r[2]
    if start == nil then break end
    count = count + 1
    if start > pos then out[#out + 1] = sub(s, pos, start - 1) end
    local whole = sub(s, start, after - 1)
    local value
    if tr == "string" then
      local parts = {}
      for k = 1, #pieces do
        local piece = pieces[k]
        if type(piece) == "string" then parts[k] = piece
        elseif piece == 0 then parts[k] = whole
        else
          if piece + 2 > r.n then error("invalid capture index %" .. piece .. " in replacement string", 2)
          else parts[k] = tostring(r[piece + 2]) end
        end
      end
      value = concat(parts)
    else
      if tr == "table" then value = repl[r[3]] else value = repl(unpack(r, 3, r.n)) end
      if value == nil or value == false then value = whole
      elseif type(value) == "number" then value = tostring(value)
      elseif type(value) ~= "string" then error("invalid replacement value (a " .. type(value) .. ")", 2) end
    end
    out[#out + 1] = value
    pos, last = after, after
    if anchored then break end
  end
  if pos <= #s then out[#out + 1] = sub(s, pos) end
  return concat(out), count
end

-- Persistent data for save files (see LuaSandbox.saveState).
state = {}
"""#
