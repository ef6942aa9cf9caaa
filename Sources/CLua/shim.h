// CLua — Debian's Lua 5.4 (liblua5.4-dev) for Swift.
// Found through pkg-config (lua5.4); installed by Tools/setup.
// Much of Lua's C API is macros, which Swift cannot call; each one used is wrapped here.
#ifndef NETZERO_CLUA_SHIM_H
#define NETZERO_CLUA_SHIM_H

#include <lua.h>
#include <lualib.h>
#include <lauxlib.h>

/* The Lua release the headers describe ("Lua 5.4.4"), for `netzero version`: no state needed. */
static inline const char *nz_LUA_RELEASE(void) { return LUA_RELEASE; }

static inline int nz_lua_pcall(lua_State *L, int nargs, int nresults, int msgh) {
    return lua_pcall(L, nargs, nresults, msgh);
}
static inline void nz_lua_pop(lua_State *L, int n) { lua_pop(L, n); }
static inline const char *nz_lua_tostring(lua_State *L, int index) { return lua_tostring(L, index); }
static inline lua_Number nz_lua_tonumber(lua_State *L, int index) { return lua_tonumber(L, index); }
static inline lua_Integer nz_lua_tointeger(lua_State *L, int index) { return lua_tointeger(L, index); }
static inline void nz_lua_newtable(lua_State *L) { lua_newtable(L); }
static inline void nz_lua_pushcfunction(lua_State *L, lua_CFunction f) { lua_pushcfunction(L, f); }
static inline void nz_lua_register(lua_State *L, const char *name, lua_CFunction f) { lua_register(L, name, f); }
static inline int nz_lua_isnil(lua_State *L, int index) { return lua_isnil(L, index); }
static inline int nz_lua_isfunction(lua_State *L, int index) { return lua_isfunction(L, index); }
static inline int nz_lua_istable(lua_State *L, int index) { return lua_istable(L, index); }
static inline int nz_lua_getglobal(lua_State *L, const char *name) { return lua_getglobal(L, name); }
static inline void nz_lua_remove(lua_State *L, int index) { lua_remove(L, index); }
static inline void nz_lua_insert(lua_State *L, int index) { lua_insert(L, index); }
static inline int nz_luaL_dostring(lua_State *L, const char *s) { return luaL_dostring(L, s); }
static inline int nz_luaL_loadbufferx(lua_State *L, const char *buff, size_t size, const char *name, const char *mode) {
    return luaL_loadbufferx(L, buff, size, name, mode);
}
static inline const char *nz_luaL_checkstring(lua_State *L, int arg) { return luaL_checkstring(L, arg); }
static inline int nz_lua_upvalueindex(int i) { return lua_upvalueindex(i); }
static inline int nz_LUA_REGISTRYINDEX(void) { return LUA_REGISTRYINDEX; }
static inline int nz_LUA_MULTRET(void) { return LUA_MULTRET; }
static inline const char *nz_LUA_VERSION(void) { return LUA_VERSION; }

/* Added for the Scripting sandbox (Sources/Scripting): hooks, extra space, calls. */
static inline void *nz_lua_getextraspace(lua_State *L) { return lua_getextraspace(L); }
static inline int nz_LUA_MASKCOUNT(void) { return LUA_MASKCOUNT; }
static inline void nz_lua_call(lua_State *L, int nargs, int nresults) { lua_call(L, nargs, nresults); }
static inline void nz_lua_replace(lua_State *L, int index) { lua_replace(L, index); }
static inline void nz_lua_pushglobaltable(lua_State *L) { lua_pushglobaltable(L); }
static inline int nz_lua_isnoneornil(lua_State *L, int index) { return lua_isnoneornil(L, index); }
static inline const char *nz_luaL_typename(lua_State *L, int index) { return luaL_typename(L, index); }
static inline const char *nz_LUA_LOADED_TABLE(void) { return LUA_LOADED_TABLE; }

#endif
