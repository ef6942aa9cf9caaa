// Renderer: owns the frame. A shown window's frame is drawn into its back buffer and `present()`
// swaps; a hidden window's into an offscreen framebuffer object (RGBA8 colour, 24-bit depth)
// sized to the window's drawable. `readPixels()` reads either, before the swap. Lighting (`sunDirection`,
// `sunColor`, `ambient`) and `clearColor` are plain properties; every glDraw* is counted.

import CGL
import CSDL2
import Raster
import Foundation

// MARK: - Lighting

/// Directional sun plus ambient term, fed to the lit shader each frame (drive day/night here).
public struct Lighting: Sendable, Equatable {
    /// Direction from the scene towards the sun (normalised by the shader).
    public var sunDirection: Vec3
    public var sunColor: Vec3
    public var ambient: Vec3

    public init(sunDirection: Vec3 = Vec3(0.35, 1.0, 0.25), sunColor: Vec3 = Vec3(0.7, 0.7, 0.68),
                ambient: Vec3 = Vec3(0.38, 0.38, 0.42)) {
        self.sunDirection = sunDirection; self.sunColor = sunColor; self.ambient = ambient
    }

    /// The light falling on a surface with this normal (what the lit shader multiplies the
    /// instance colour by; the result is clamped to 1 when written to the frame).
    public func intensity(normal: Vec3) -> Vec3 {
        let d = max(normal.normalized.dot(sunDirection.normalized), 0)
        return ambient + sunColor * d
    }
}

// MARK: - Offscreen framebuffer

/// An FBO with an RGBA8 colour renderbuffer and a DEPTH24 renderbuffer.
final class Framebuffer {
    let fbo: GLuint
    let color: GLuint
    let depth: GLuint
    private(set) var width = 0
    private(set) var height = 0

    init(width: Int, height: Int) throws {
        var f: GLuint = 0
        glGenFramebuffers(1, &f)
        var rb: [GLuint] = [0, 0]
        glGenRenderbuffers(2, &rb)
        fbo = f; color = rb[0]; depth = rb[1]
        try resize(width: width, height: height)
    }

    func resize(width: Int, height: Int) throws {
        self.width = max(1, width); self.height = max(1, height)
        glBindRenderbuffer(E(GL_RENDERBUFFER), color)
        glRenderbufferStorage(E(GL_RENDERBUFFER), E(GL_RGBA8), GLsizei(self.width), GLsizei(self.height))
        glBindRenderbuffer(E(GL_RENDERBUFFER), depth)
        glRenderbufferStorage(E(GL_RENDERBUFFER), E(GL_DEPTH_COMPONENT24), GLsizei(self.width), GLsizei(self.height))
        glBindRenderbuffer(E(GL_RENDERBUFFER), 0)
        glBindFramebuffer(E(GL_FRAMEBUFFER), fbo)
        glFramebufferRenderbuffer(E(GL_FRAMEBUFFER), E(GL_COLOR_ATTACHMENT0), E(GL_RENDERBUFFER), color)
        glFramebufferRenderbuffer(E(GL_FRAMEBUFFER), E(GL_DEPTH_ATTACHMENT), E(GL_RENDERBUFFER), depth)
        let status = glCheckFramebufferStatus(E(GL_FRAMEBUFFER))
        if status != E(GL_FRAMEBUFFER_COMPLETE) {
            throw RenderError.framebufferIncomplete(status: status)
        }
    }

    deinit {
        var f = fbo
        glDeleteFramebuffers(1, &f)
        var rb = [color, depth]
        glDeleteRenderbuffers(2, &rb)
    }
}

// MARK: - Renderer

public final class Renderer {
    public let window: Window
    public var clearColor = Vec4(0.53, 0.72, 0.86, 1)
    public var lighting = Lighting()
    /// glDraw* calls issued since `beginFrame` (3D batches and Canvas2D flushes).
    public private(set) var drawCallsThisFrame = 0
    /// The count of the previous frame (read it after `beginFrame` for a HUD).
    public private(set) var drawCallsLastFrame = 0
    /// Frames begun so far.
    public private(set) var frameIndex = 0
    /// The camera's view-projection for the frame in progress.
    public private(set) var viewProjection = Mat4.identity

    let framebuffer: Framebuffer
    let litProgram: ShaderProgram

    /// The 3D scene's resolution as a fraction of the frame's (0.25 … 1). Below 1 the scene is
    /// drawn into a smaller framebuffer and stretched over the frame (linear filter) before the
    /// interface is drawn, which stays at full resolution: software GL shades a quarter of the
    /// pixels at 0.5. Takes effect at the next `beginFrame`.
    public var renderScale: Float = 1
    /// The scene's own framebuffer while `renderScale` < 1.
    private var sceneBuffer: Framebuffer?
    /// Where the frame is drawn: a shown window's own back buffer (0), or the offscreen
    /// `framebuffer` of a hidden one. Drawn into the back buffer, a frame is shown by the swap
    /// alone; copying a full offscreen frame into it first cost software GL about a third of
    /// the sandbox's frame (docs/performance.md).
    private var frameTarget: GLuint = 0
    /// The scene of this frame is in `sceneBuffer` and not yet stretched over the frame.
    private var scenePending = false

    /// Sets up shaders and the offscreen framebuffer for `window` (its context must be current).
    public init(window: Window) throws {
        self.window = window
        window.makeCurrent()
        let size = window.drawableSize
        framebuffer = try Framebuffer(width: size.width, height: size.height)
        frameTarget = window.isHidden ? framebuffer.fbo : 0
        litProgram = try ShaderProgram(window: window, vertex: Renderer.litVertex,
                                       fragment: Renderer.litFragment, label: "lit-instanced")
        glBindFramebuffer(E(GL_FRAMEBUFFER), 0)
    }

    /// Size of the frame being drawn, in pixels (the window's drawable size at `beginFrame`).
    public var framebufferSize: (width: Int, height: Int) { (framebuffer.width, framebuffer.height) }

    // MARK: - Frame

    /// Starts a frame: follows the drawable size, binds the offscreen target, clears colour and
    /// depth, resets the draw-call counter and sets up the 3D state for `camera`.
    public func beginFrame(camera: Camera) throws {
        window.makeCurrent()
        let size = window.drawableSize
        if size.width != framebuffer.width || size.height != framebuffer.height {
            try framebuffer.resize(width: size.width, height: size.height)
        }
        drawCallsLastFrame = drawCallsThisFrame
        drawCallsThisFrame = 0
        frameIndex += 1
        frameTarget = window.isHidden ? framebuffer.fbo : 0
        let scale = min(1, max(0.25, renderScale.isFinite ? renderScale : 1))
        if scale < 1 {
            let width = max(1, Int((Float(framebuffer.width) * scale).rounded())), height = max(1, Int((Float(framebuffer.height) * scale).rounded()))
            if let scene = sceneBuffer {
                if scene.width != width || scene.height != height { try scene.resize(width: width, height: height) }
            } else {
                sceneBuffer = try Framebuffer(width: width, height: height)
            }
            glBindFramebuffer(E(GL_FRAMEBUFFER), sceneBuffer!.fbo)
            glViewport(0, 0, GLsizei(width), GLsizei(height))
            scenePending = true
        } else {
            sceneBuffer = nil
            scenePending = false
            glBindFramebuffer(E(GL_FRAMEBUFFER), frameTarget)
            glViewport(0, 0, GLsizei(framebuffer.width), GLsizei(framebuffer.height))
        }
        glDisable(E(GL_SCISSOR_TEST))
        glDepthMask(GLboolean(GL_TRUE))
        glClearColor(clearColor.x, clearColor.y, clearColor.z, clearColor.w)
        glClear(GLbitfield(GL_COLOR_BUFFER_BIT) | GLbitfield(GL_DEPTH_BUFFER_BIT))
        set3DState()
        viewProjection = camera.viewProjection(width: framebuffer.width, height: framebuffer.height)
    }

    func set3DState() {
        glEnable(E(GL_DEPTH_TEST))
        glDepthFunc(E(GL_LESS))
        glEnable(E(GL_CULL_FACE))
        glCullFace(E(GL_BACK))
        glFrontFace(E(GL_CCW))
        glDisable(E(GL_BLEND))
    }

    /// Draws every instance of `batch` with one glDrawElementsInstanced (nothing when empty), or
    /// with one per range when the batch has `ranges`.
    public func draw(_ batch: InstancedBatch) {
        guard batch.isVisible, !batch.instances.isEmpty else { return }
        set3DState()
        litProgram.use()
        litProgram.set("uViewProj", viewProjection)
        litProgram.set("uModel", batch.transform)
        litProgram.set("uSunDir", lighting.sunDirection.normalized)
        litProgram.set("uSunColor", lighting.sunColor)
        litProgram.set("uAmbient", lighting.ambient)
        batch.uploadIfNeeded()
        var bound = -1
        for (index, range) in (batch.ranges ?? [0..<batch.instances.count]).enumerated() {
            let clamped = range.clamped(to: 0..<batch.instances.count)
            guard !clamped.isEmpty else { continue }
            let variant = batch.rangeMeshes.flatMap { index < $0.count && $0[index] < batch.meshes.count ? $0[index] : nil } ?? 0
            if variant != bound {
                glBindVertexArray(batch.vaos[variant])
                bound = variant
            }
            batch.point(variant, at: clamped.lowerBound)
            glDrawElementsInstanced(E(GL_TRIANGLES), GLsizei(batch.meshes[variant].indexCount), E(GL_UNSIGNED_INT), nil,
                                    GLsizei(clamped.count))
            countDrawCall()
        }
        glBindVertexArray(0)
    }

    /// Ends the 3D part of the frame: a scene drawn at a lower `renderScale` is stretched over the
    /// frame, and the frame is bound for what follows (the interface). Does nothing at full scale
    /// or when already done; `Canvas2D.flush`, `present` and `readPixels` call it.
    public func finishScene() {
        guard scenePending, let scene = sceneBuffer else { return }
        scenePending = false
        glBindFramebuffer(E(GL_READ_FRAMEBUFFER), scene.fbo)
        glBindFramebuffer(E(GL_DRAW_FRAMEBUFFER), frameTarget)
        glBlitFramebuffer(0, 0, GLint(scene.width), GLint(scene.height), 0, 0, GLint(framebuffer.width), GLint(framebuffer.height),
                          GLbitfield(GL_COLOR_BUFFER_BIT), E(GL_LINEAR))
        glBindFramebuffer(E(GL_FRAMEBUFFER), frameTarget)
        glViewport(0, 0, GLsizei(framebuffer.width), GLsizei(framebuffer.height))
    }

    /// Called by everything in Render that issues a glDraw* call.
    func countDrawCall() { drawCallsThisFrame += 1 }

    /// Shows the frame: a shown window's frame is in its back buffer, and the swap shows it.
    /// Hidden windows do not swap (their image is read with `readPixels()`). A frame begun while
    /// the window was hidden is copied to the back buffer first.
    public func present() {
        finishScene()
        guard !window.isHidden else { return }
        if frameTarget != 0 {
            let w = GLint(framebuffer.width), h = GLint(framebuffer.height)
            glBindFramebuffer(E(GL_READ_FRAMEBUFFER), frameTarget)
            glBindFramebuffer(E(GL_DRAW_FRAMEBUFFER), 0)
            glBlitFramebuffer(0, 0, w, h, 0, 0, w, h, GLbitfield(GL_COLOR_BUFFER_BIT), E(GL_NEAREST))
            glBindFramebuffer(E(GL_FRAMEBUFFER), frameTarget)
        }
        window.swapBuffers()
    }

    // MARK: - Read-back

    /// The current frame as RGBA8 with rows top-down (flipped from GL's bottom-up order); in a
    /// shown window, read before `present()`, which leaves the back buffer undefined.
    public func readPixels() -> Image {
        finishScene()
        let w = framebuffer.width, h = framebuffer.height
        var raw = [UInt8](repeating: 0, count: w * h * 4)
        glBindFramebuffer(E(GL_READ_FRAMEBUFFER), frameTarget)
        glReadBuffer(E(frameTarget == 0 ? GL_BACK : GL_COLOR_ATTACHMENT0))
        glPixelStorei(E(GL_PACK_ALIGNMENT), 1)
        raw.withUnsafeMutableBytes {
            glReadPixels(0, 0, GLsizei(w), GLsizei(h), E(GL_RGBA), E(GL_UNSIGNED_BYTE), $0.baseAddress)
        }
        glBindFramebuffer(E(GL_FRAMEBUFFER), frameTarget)
        let row = w * 4
        var flipped = [UInt8](repeating: 0, count: raw.count)
        raw.withUnsafeBufferPointer { src in
            flipped.withUnsafeMutableBufferPointer { dst in
                for y in 0..<h {
                    let from = src.baseAddress! + (h - 1 - y) * row
                    (dst.baseAddress! + y * row).update(from: from, count: row)
                }
            }
        }
        return Image(width: w, height: h, pixels: flipped)
    }

    // MARK: - Shaders

    // Lit in the vertex stage: a box's faces are flat, so the light is one value per face, and
    // the fragment stage only writes a colour that is not interpolated (`flat`). Software GL
    // shades every covered pixel, so this is the cheapest fragment stage there is; the image is
    // the one per-pixel lighting gave, to within rounding.
    static let litVertex = """
        #version 330 core
        layout(location = 0) in vec3 aPosition;
        layout(location = 1) in vec3 aNormal;
        layout(location = 3) in vec3 iPosition;
        layout(location = 4) in vec3 iScale;
        layout(location = 5) in vec4 iColor;
        uniform mat4 uViewProj;
        uniform mat4 uModel;
        uniform vec3 uSunDir;
        uniform vec3 uSunColor;
        uniform vec3 uAmbient;
        flat out vec4 vColor;
        void main() {
            vec3 world = iPosition + aPosition * iScale;
            gl_Position = uViewProj * uModel * vec4(world, 1.0);
            vec3 s = max(abs(iScale), vec3(1e-6));
            vec3 n = normalize(mat3(uModel) * (aNormal / s));
            vec3 light = uAmbient + uSunColor * max(dot(n, uSunDir), 0.0);
            vColor = vec4(iColor.rgb * light, iColor.a);
        }
        """

    static let litFragment = """
        #version 330 core
        flat in vec4 vColor;
        out vec4 fragColor;
        void main() {
            fragColor = vColor;
        }
        """
}
