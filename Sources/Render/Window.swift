// Window: an SDL2 window with an OpenGL 3.3 core context (depth 24, double buffered), resizable
// and HiDPI-aware. Configured by `Window.Options` (title, size, hidden, vsync, highDPI). A hidden
// window is for offscreen work: the Renderer draws a hidden window's frames into its own
// framebuffer object (a shown window's into its back buffer), so screenshots are read back the
// same way whether the window is visible or not. Without DISPLAY/WAYLAND_DISPLAY it throws
// `.noDisplay`, unless `allowOffscreenDriver` picks SDL's EGL "offscreen" driver (screenshots only).

import CGL
import CSDL2
import Foundation

public final class Window {
    // MARK: - Options

    public struct Options: Sendable {
        public var title: String
        /// Size in window coordinates (points); the drawable may be larger on HiDPI screens.
        public var width: Int
        public var height: Int
        /// Create the window hidden (SDL_WINDOW_HIDDEN), for tests and screenshots.
        public var hidden: Bool
        public var resizable: Bool
        /// Request vsync (SDL_GL_SetSwapInterval(1)); ignored when the driver refuses.
        public var vsync: Bool
        /// SDL_WINDOW_ALLOW_HIGHDPI: on HiDPI screens the drawable is larger than the window.
        public var highDPI: Bool
        /// Without a display server, use SDL's "offscreen" driver (EGL, e.g. Mesa llvmpipe) instead
        /// of failing with `.noDisplay`: for hidden windows that only make screenshots.
        public var allowOffscreenDriver: Bool
        /// The core-profile version to ask for; the renderer's shaders need 3.3.
        public var minimumGLVersion: (major: Int, minor: Int)

        public init(title: String = "NetZero City 零碳城", width: Int = 1280, height: Int = 720,
                    hidden: Bool = false, resizable: Bool = true, vsync: Bool = false,
                    highDPI: Bool = true, allowOffscreenDriver: Bool = false,
                    minimumGLVersion: (major: Int, minor: Int) = (3, 3)) {
            self.title = title; self.width = width; self.height = height; self.hidden = hidden
            self.resizable = resizable; self.vsync = vsync; self.highDPI = highDPI
            self.allowOffscreenDriver = allowOffscreenDriver; self.minimumGLVersion = minimumGLVersion
        }
    }

    // MARK: - State

    /// The SDL_Window*.
    public let handle: OpaquePointer
    /// The SDL_GLContext.
    public let context: SDL_GLContext
    /// GL_VERSION, e.g. "4.5 (Core Profile) Mesa 22.3.6".
    public let glVersionString: String
    /// The parsed major.minor of GL_VERSION (at least 3.3).
    public let glVersion: (major: Int, minor: Int)
    /// GL_RENDERER, e.g. "llvmpipe (LLVM 15.0.6, 256 bits)".
    public let glRenderer: String
    /// GL_SHADING_LANGUAGE_VERSION.
    public let glslVersion: String
    /// Whether vsync is currently on.
    public private(set) var vsync: Bool
    /// SDL's video driver: "x11", "wayland", or "offscreen" when `allowOffscreenDriver` was used.
    public let videoDriver: String

    // MARK: - Creation

    /// Creates the window and makes its GL context current on the calling thread.
    /// Throws `.noDisplay` when there is no display server (DISPLAY and WAYLAND_DISPLAY unset, and
    /// SDL_VIDEODRIVER not forcing a driver), when SDL has no video device or only a screenless
    /// driver, or cannot create the window; `.openGLTooOld` when only an older OpenGL is
    /// available; `.contextFailed` otherwise.
    public init(_ options: Options = Options()) throws {
        let env = ProcessInfo.processInfo.environment
        func isSet(_ name: String) -> Bool { !(env[name] ?? "").isEmpty }
        let useOffscreen = options.allowOffscreenDriver && !isSet("DISPLAY") && !isSet("WAYLAND_DISPLAY")
            && !isSet("SDL_VIDEODRIVER")
        if !isSet("DISPLAY") && !isSet("WAYLAND_DISPLAY") && !isSet("SDL_VIDEODRIVER") && !useOffscreen {
            throw RenderError.noDisplay("DISPLAY and WAYLAND_DISPLAY are unset")
        }
        if useOffscreen { SDL_SetHint(SDL_HINT_VIDEODRIVER, "offscreen") }
        let initialised = SDL_InitSubSystem(SDL_INIT_VIDEO) == 0
        if useOffscreen { SDL_ResetHint(SDL_HINT_VIDEODRIVER) }
        if !initialised {
            throw RenderError.noDisplay(Window.sdlError("SDL video initialisation failed"))
        }
        var ok = false
        defer { if !ok { SDL_QuitSubSystem(SDL_INIT_VIDEO) } }
        let driver = SDL_GetCurrentVideoDriver().map { String(cString: $0) } ?? "none"
        if (driver == "offscreen" || driver == "dummy") && !options.allowOffscreenDriver {
            throw RenderError.noDisplay("SDL found only its '\(driver)' video driver, which has no screen")
        }

        let required = options.minimumGLVersion
        SDL_GL_ResetAttributes()
        SDL_GL_SetAttribute(SDL_GL_CONTEXT_MAJOR_VERSION, Int32(required.major))
        SDL_GL_SetAttribute(SDL_GL_CONTEXT_MINOR_VERSION, Int32(required.minor))
        SDL_GL_SetAttribute(SDL_GL_CONTEXT_PROFILE_MASK, Int32(SDL_GL_CONTEXT_PROFILE_CORE.rawValue))
        SDL_GL_SetAttribute(SDL_GL_RED_SIZE, 8)
        SDL_GL_SetAttribute(SDL_GL_GREEN_SIZE, 8)
        SDL_GL_SetAttribute(SDL_GL_BLUE_SIZE, 8)
        SDL_GL_SetAttribute(SDL_GL_DEPTH_SIZE, 24)
        SDL_GL_SetAttribute(SDL_GL_DOUBLEBUFFER, 1)

        var flags = SDL_WINDOW_OPENGL.rawValue
        if options.resizable { flags |= SDL_WINDOW_RESIZABLE.rawValue }
        if options.highDPI { flags |= SDL_WINDOW_ALLOW_HIGHDPI.rawValue }
        flags |= options.hidden ? SDL_WINDOW_HIDDEN.rawValue : SDL_WINDOW_SHOWN.rawValue
        let centered = Int32(bitPattern: nz_SDL_WINDOWPOS_CENTERED())
        guard let window = SDL_CreateWindow(options.title, centered, centered,
                                            Int32(max(1, options.width)), Int32(max(1, options.height)),
                                            flags) else {
            throw RenderError.noDisplay(Window.sdlError("SDL_CreateWindow failed"))
        }
        var ownsWindow = true
        defer { if ownsWindow { SDL_DestroyWindow(window) } }

        guard let context = SDL_GL_CreateContext(window) else {
            let message = Window.sdlError("SDL_GL_CreateContext(\(required.major).\(required.minor) core) failed")
            // Find out what the driver does offer, to say "too old" rather than "failed".
            SDL_GL_ResetAttributes()
            if let legacy = SDL_GL_CreateContext(window) {
                SDL_GL_MakeCurrent(window, legacy)
                let version = glString(GL_VERSION)
                SDL_GL_MakeCurrent(window, nil)
                SDL_GL_DeleteContext(legacy)
                if let v = parseGLVersion(version), v.major < required.major
                    || (v.major == required.major && v.minor < required.minor) {
                    throw RenderError.openGLTooOld(version)
                }
            }
            throw RenderError.contextFailed(message)
        }
        if SDL_GL_MakeCurrent(window, context) != 0 {
            let message = Window.sdlError("SDL_GL_MakeCurrent failed")
            SDL_GL_DeleteContext(context)
            throw RenderError.contextFailed(message)
        }
        let version = glString(GL_VERSION)
        guard let parsed = parseGLVersion(version), isAtLeastGL33(parsed),
              parsed.major > required.major || (parsed.major == required.major && parsed.minor >= required.minor)
        else {
            SDL_GL_MakeCurrent(window, nil)
            SDL_GL_DeleteContext(context)
            throw RenderError.openGLTooOld(version.isEmpty ? "unknown version" : version)
        }

        handle = window
        self.context = context
        glVersionString = version
        glVersion = parsed
        glRenderer = glString(GL_RENDERER)
        glslVersion = glString(GL_SHADING_LANGUAGE_VERSION)
        vsync = false
        videoDriver = driver
        ownsWindow = false
        ok = true
        setVSync(options.vsync)
    }

    /// Convenience: `Window(title:width:height:hidden:)`.
    public convenience init(title: String = "NetZero City 零碳城", width: Int = 1280, height: Int = 720,
                            hidden: Bool = false, vsync: Bool = false) throws {
        try self.init(Options(title: title, width: width, height: height, hidden: hidden, vsync: vsync))
    }

    deinit {
        SDL_GL_MakeCurrent(handle, nil)
        SDL_GL_DeleteContext(context)
        SDL_DestroyWindow(handle)
        SDL_QuitSubSystem(SDL_INIT_VIDEO)
    }

    static func sdlError(_ what: String) -> String {
        let detail = String(cString: SDL_GetError())
        return detail.isEmpty ? what : "\(what): \(detail)"
    }

    // MARK: - Queries

    /// SDL's window id (events carry it).
    public var id: UInt32 { SDL_GetWindowID(handle) }

    /// Size in window coordinates (points).
    public var size: (width: Int, height: Int) {
        var w: Int32 = 0, h: Int32 = 0
        SDL_GetWindowSize(handle, &w, &h)
        return (Int(w), Int(h))
    }

    /// Size of the GL drawable in pixels (SDL_GL_GetDrawableSize); use this for the viewport.
    public var drawableSize: (width: Int, height: Int) {
        var w: Int32 = 0, h: Int32 = 0
        SDL_GL_GetDrawableSize(handle, &w, &h)
        return (max(1, Int(w)), max(1, Int(h)))
    }

    /// Drawable pixels per window point (1 on ordinary screens, 2 on most HiDPI screens).
    public var pixelScale: Float {
        let s = size
        guard s.width > 0 else { return 1 }
        return Float(drawableSize.width) / Float(s.width)
    }

    public var isHidden: Bool { SDL_GetWindowFlags(handle) & SDL_WINDOW_HIDDEN.rawValue != 0 }

    // MARK: - Control

    /// Makes this window's context current on the calling thread.
    public func makeCurrent() { SDL_GL_MakeCurrent(handle, context) }

    /// Turns vsync on or off; returns whether the driver accepted the change.
    @discardableResult
    public func setVSync(_ enabled: Bool) -> Bool {
        let accepted = SDL_GL_SetSwapInterval(enabled ? 1 : 0) == 0
        if accepted { vsync = enabled }
        return accepted
    }

    public func show() { SDL_ShowWindow(handle) }
    public func hide() { SDL_HideWindow(handle) }
    public func setTitle(_ title: String) { SDL_SetWindowTitle(handle, title) }
    public func setSize(width: Int, height: Int) { SDL_SetWindowSize(handle, Int32(width), Int32(height)) }
    /// Full screen at the desktop's resolution, or back to a window.
    public func setFullscreen(_ on: Bool) { SDL_SetWindowFullscreen(handle, on ? SDL_WINDOW_FULLSCREEN_DESKTOP.rawValue : 0) }

    /// SDL_GL_SwapWindow: shows the back buffer (the Renderer calls this from `present()`).
    public func swapBuffers() { SDL_GL_SwapWindow(handle) }
}
