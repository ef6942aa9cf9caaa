// GameView.swift — the window and what is drawn in it each frame, and the interactive loop.
//
// A frame: rebuild the static batch if the city changed (new structure, new day, new overlay),
// rebuild the dynamic batch (smoke, blades, vehicles), draw both (two instanced draw calls),
// then the HUD (one canvas flush). `GameLoop.run` polls input, advances the simulation within a
// per-frame time budget (so input is never starved at top speed), and draws.
import CitySim
import Foundation
import Render

public final class GameView {
    public let window: Window
    public let renderer: Renderer
    public let canvas: Canvas2D
    let staticBatch: InstancedBatch
    let dynamicBatch: InstancedBatch
    let start = Date()

    public init(options: Window.Options) throws {
        window = try Window(options)
        renderer = try Renderer(window: window)
        canvas = try Canvas2D(renderer: renderer)
        staticBatch = InstancedBatch(renderer: renderer, mesh: Mesh.cube(renderer: renderer))
        dynamicBatch = InstancedBatch(renderer: renderer, mesh: Mesh.cube(renderer: renderer))
    }

    /// Animation time, seconds since the view opened.
    public var now: Double { Date().timeIntervalSince(start) }

    /// Draws one frame of the session (into the offscreen frame; `present()` shows it).
    public func render(_ session: GameSession, animationTime: Double? = nil) throws {
        let view = session.view
        let time = animationTime ?? now
        let day = view.clock.dayIndex
        if session.staticDirty || day != session.lastStaticDay || view.map.revision != lastRevision {
            let field = OverlayField.compute(session.overlay, view: view)
            staticBatch.instances = SceneBuilder.staticInstances(view: view, overlay: field)
            session.staticDirty = false
            session.lastStaticDay = day
            lastRevision = view.map.revision
        }
        dynamicBatch.instances = SceneBuilder.dynamicInstances(view: view, seconds: time)
        let (lighting, sky) = SceneBuilder.lighting(hour: view.clock.hour, dayOfYear: view.clock.dayOfYear)
        renderer.lighting = lighting
        renderer.clearColor = sky
        try renderer.beginFrame(camera: session.camera)
        renderer.draw(staticBatch)
        renderer.draw(dynamicBatch)
        HUD.draw(canvas, session: session, now: time)
        canvas.flush()
    }

    var lastRevision = -1

    public var drawCalls: Int { renderer.drawCallsThisFrame }

    public func present() { renderer.present() }

    public func screenshot(to path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty { try FileSystem.makeDirectory(directory) }
        try renderer.readPixels().writePNG(to: path)
    }
}

public enum GameLoop {
    /// Runs the game until the player quits. Returns when the window closes.
    public static func run(_ session: GameSession, view: GameView) throws {
        var last = view.now
        while !session.quitRequested {
            let size = view.renderer.framebufferSize
            for event in view.window.pollEvents() { session.handle(event, size: size, now: view.now) }
            let now = view.now
            let frame = min(0.25, now - last)
            last = now
            session.advance(frameSeconds: frame, clock: { view.now })
            try view.render(session)
            if session.pendingScreenshot {
                session.pendingScreenshot = false
                let path = session.screenshotDirectory + "/netzero-\(session.view.clock.tick).png"
                do {
                    try view.screenshot(to: path)
                    session.notify(session.strings["menu.screenshot"] + ": " + path, now: now)
                } catch {
                    session.notify("\(error)", now: now)
                }
            }
            view.present()
            // Yield a little when the simulation has nothing to do (paused), to spare the CPU.
            if session.paused || session.menuOpen { usleep(8_000) }
        }
    }
}
