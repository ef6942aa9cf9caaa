// CSDL2 — SDL2 and SDL2_ttf for Swift (no OpenGL: that is CGL, which only Render imports).
// Found through pkg-config (sdl2); installed by Tools/setup.
// Swift cannot call C macros, so the ones the game needs are wrapped here as inline functions.
#ifndef NETZERO_CSDL2_SHIM_H
#define NETZERO_CSDL2_SHIM_H

#include <SDL2/SDL.h>
#include <SDL2/SDL_ttf.h>

static inline Uint32 nz_SDL_WINDOWPOS_CENTERED(void) { return SDL_WINDOWPOS_CENTERED; }
static inline int nz_SDL_BUTTON_LEFT(void) { return SDL_BUTTON_LEFT; }
static inline int nz_SDL_BUTTON_RIGHT(void) { return SDL_BUTTON_RIGHT; }
static inline Uint32 nz_SDL_BUTTON_LMASK(void) { return SDL_BUTTON_LMASK; }
static inline Uint32 nz_SDL_BUTTON_RMASK(void) { return SDL_BUTTON_RMASK; }
static inline int nz_TTF_MAJOR_VERSION(void) { return SDL_TTF_MAJOR_VERSION; }
static inline void nz_SDL_linked_version(int *major, int *minor, int *patch) {
    SDL_version v; SDL_GetVersion(&v);
    *major = v.major; *minor = v.minor; *patch = v.patch;
}
static inline void nz_TTF_linked_version(int *major, int *minor, int *patch) {
    const SDL_version *v = TTF_Linked_Version();
    *major = v->major; *minor = v->minor; *patch = v->patch;
}

/* Render module (Sources/Render) */
static inline Uint32 nz_SDL_WINDOWPOS_UNDEFINED(void) { return SDL_WINDOWPOS_UNDEFINED; }
static inline int nz_SDL_BUTTON_MIDDLE(void) { return SDL_BUTTON_MIDDLE; }
static inline Uint32 nz_SDL_BUTTON_MASK(int button) { return SDL_BUTTON(button); }
static inline Uint32 nz_SDL_PIXELFORMAT_RGBA32(void) { return SDL_PIXELFORMAT_RGBA32; }
static inline int nz_SDL_MUSTLOCK(SDL_Surface *surface) { return SDL_MUSTLOCK(surface); }
static inline Uint32 nz_SDL_TOUCH_MOUSEID(void) { return SDL_TOUCH_MOUSEID; }

#endif
