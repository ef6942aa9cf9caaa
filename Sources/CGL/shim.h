// CGL — OpenGL 3.3 for Swift, imported by Render alone. GL entry points are linked directly
// (libGL with GL_GLEXT_PROTOTYPES), valid once a window's context is current; Mesa's libGL
// exports every OpenGL 3.3 function. Installed by Tools/setup (libgl-dev).
#ifndef NETZERO_CGL_SHIM_H
#define NETZERO_CGL_SHIM_H

#define GL_GLEXT_PROTOTYPES 1
#include <GL/gl.h>
#include <GL/glext.h>

#endif
