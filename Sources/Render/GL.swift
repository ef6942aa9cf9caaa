// OpenGL entry points and small helpers shared by the renderer.
// GL functions are linked directly: CGL's shim.h defines GL_GLEXT_PROTOTYPES before <GL/glext.h>
// and the module map links libGL (glvnd), which exports every core 3.3 function (glGenVertexArrays,
// glVertexAttribDivisor, glDrawElementsInstanced, glGenFramebuffers, …) and dispatches them to the
// current context's driver (Mesa llvmpipe without a GPU). No SDL_GL_GetProcAddress table is needed;
// calls are only valid while a Window's context is current on the calling thread.

import CGL
import CSDL2

// MARK: - Enum conversion

/// GL constants come from C macros and import as Int32; GL functions take GLenum (UInt32).
@inline(__always) func E(_ v: Int32) -> GLenum { GLenum(bitPattern: v) }

/// Waits until the current context has finished every command sent (glFinish), so a benchmark
/// times the frame's work, not its submission.
public func waitForGPU() { glFinish() }

// MARK: - Strings and versions

/// glGetString as a Swift string ("" when no context is current).
func glString(_ name: Int32) -> String {
    guard let p = glGetString(E(name)) else { return "" }
    return String(cString: p)
}

/// Parses the leading "major.minor" of a GL_VERSION string such as
/// "4.5 (Core Profile) Mesa 22.3.6" or "OpenGL ES 3.2 Mesa …". Nil when there is none.
public func parseGLVersion(_ version: String) -> (major: Int, minor: Int)? {
    var digits: [Int] = []
    var current = ""
    var started = false
    for ch in version {
        if ch.isASCII, ch.isNumber {
            current.append(ch); started = true
        } else if ch == ".", started, digits.isEmpty {
            digits.append(Int(current) ?? 0); current = ""
        } else if started {
            break
        }
    }
    if !current.isEmpty { digits.append(Int(current) ?? 0) }
    guard digits.count >= 2 else { return nil }
    return (digits[0], digits[1])
}

/// True when (major, minor) is at least OpenGL 3.3.
public func isAtLeastGL33(_ v: (major: Int, minor: Int)) -> Bool {
    v.major > 3 || (v.major == 3 && v.minor >= 3)
}

// MARK: - Errors

/// Drains glGetError and returns the codes seen (for tests and debugging; never traps).
@discardableResult
public func drainGLErrors() -> [UInt32] {
    var errors: [UInt32] = []
    while errors.count < 16 {
        let e = glGetError()
        if e == GLenum(GL_NO_ERROR) { break }
        errors.append(e)
    }
    return errors
}
