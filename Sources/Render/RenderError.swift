// RenderError: every way the rendering layer can fail, as a Swift error with a readable message.
// Window, context, shader and framebuffer failures end here (font and file ones are Raster's
// `RasterError`); nothing in Render traps on a missing display or an old driver.

import Foundation

public enum RenderError: Error, Equatable, CustomStringConvertible, LocalizedError {
    /// SDL could not initialise video or create a window (no X server, no DISPLAY, …).
    case noDisplay(String)
    /// The driver gave (or could only give) an OpenGL context older than 3.3; carries GL_VERSION.
    case openGLTooOld(String)
    /// An OpenGL 3.3 core context could not be created for another reason.
    case contextFailed(String)
    /// A GLSL stage failed to compile; `log` is the driver's info log.
    case shaderCompile(stage: String, label: String, log: String)
    /// A program failed to link; `log` is the driver's info log.
    case programLink(label: String, log: String)
    /// glCheckFramebufferStatus returned something other than GL_FRAMEBUFFER_COMPLETE.
    case framebufferIncomplete(status: UInt32)

    public var description: String {
        switch self {
        case .noDisplay(let message):
            return "no display: \(message) — use `netzero run` for headless simulation"
        case .openGLTooOld(let version):
            return "OpenGL 3.3 core is required, but the driver offers \(version)"
                + " (on machines without a GPU install Mesa: libgl1-mesa-dri, see Tools/setup)"
        case .contextFailed(let message):
            return "could not create an OpenGL 3.3 core context: \(message)"
        case .shaderCompile(let stage, let label, let log):
            return "\(stage) shader '\(label)' failed to compile:\n\(log)"
        case .programLink(let label, let log):
            return "shader program '\(label)' failed to link:\n\(log)"
        case .framebufferIncomplete(let status):
            return "offscreen framebuffer incomplete (status 0x\(String(status, radix: 16)))"
        }
    }

    public var errorDescription: String? { description }
}
