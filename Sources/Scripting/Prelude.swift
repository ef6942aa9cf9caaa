// The sandbox prelude: trusted Lua run once at creation, after base, string, table, math and
// utf8 are opened. It seeds math.random, removes file access and bytecode, wraps load,
// setmetatable, collectgarbage, print and math.randomseed, locks the string metatable, and
// charges the instruction budget for C library loops the count hook cannot see.

let sandboxPrelude = #"""
local seed, emit, charge = ...
local type, select, error, rawget, tostring, tonumber, setmetatable, load, getmetatable, collectgarbage =
      type, select, error, rawget, tostring, tonumber, setmetatable, load, getmetatable, collectgarbage
local concat, insert, remove, move, unpack, sort =
      table.concat, table.insert, table.remove, table.move, table.unpack, table.sort
local rep, byte = string.rep, string.byte
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

-- Text chunks only, in the sandbox's environment unless one is given.
function _G.load(chunk, chunkname, mode, ...)
  if type(chunk) == "string" and byte(chunk, 1) == 27 then
    return nil, "binary chunks are not allowed in the sandbox (text only)"
  end
  if select("#", ...) > 0 then return load(chunk, chunkname, "t", (...)) end
  return load(chunk, chunkname, "t")
end

-- Finalisers would run outside the budget and the protected call.
function _G.setmetatable(t, mt)
  if type(mt) == "table" and rawget(mt, "__gc") ~= nil then
    error("__gc is not allowed in the sandbox", 2)
  end
  return setmetatable(t, mt)
end

-- The shared string metatable cannot be reached: getmetatable("") is false.
getmetatable("").__metatable = false

function _G.collectgarbage(option)
  if option == "count" then return collectgarbage("count") end
  error("collectgarbage: only \"count\" is allowed in the sandbox", 2)
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
function table.sort(t, comp)
  if comp == nil or type(t) ~= "table" or type(comp) ~= "function" then
    local n = length(t)
    if n > 1 then charge(n * log(n, 2)) end
    return sort(t, comp)
  end
  mergesort(t, length(t), comp)
end

-- string.rep("", huge) loops in C without allocating: answer it directly.
function string.rep(s, n, sep)
  if s == "" and (sep == nil or sep == "") and (number(n) or 0) > 1 then n = 1 end
  return rep(s, n, sep)
end

-- Persistent data for save files (see LuaSandbox.saveState).
state = {}
"""#
