// GameView.swift — the window and what is drawn in it each frame, and the interactive loop.
//
// A frame: rebuild the static batch if the city changed (new structure, new day, new overlay)
// and upload it once, chunk by chunk; draw the chunks the camera sees as ranges of that buffer
// (moving the camera uploads nothing); rebuild the dynamic batch (smoke, blades, vehicles); then
// the HUD (one canvas flush). `GameLoop.run` polls input, advances the simulation within a
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
        staticBatch = InstancedBatch(renderer: renderer, mesh: Mesh.openBox(renderer: renderer))
        dynamicBatch = InstancedBatch(renderer: renderer, mesh: Mesh.openBox(renderer: renderer))
    }

    /// Animation time, seconds since the view opened.
    public var now: Double { Date().timeIntervalSince(start) }

    /// Draws one frame of the session (into the offscreen frame; `present()` shows it).
    public func render(_ session: GameSession, animationTime: Double? = nil) throws {
        let view = session.view
        let time = animationTime ?? now
        let day = view.clock.dayIndex
        // A new day refreshes trees and overlay colours, at most once a second of real time: at
        // top speed days fly by, and rebuilding the scene each frame would starve input.
        let newDay = day != session.lastStaticDay && time - lastRebuild >= 1
        if session.staticDirty || newDay || view.map.revision != lastRevision {
            lastRebuild = time
            let field = OverlayField.compute(session.overlay, view: view)
            session.overlayField = field
            chunks = ChunkedInstances(SceneBuilder.staticInstances(view: view, overlay: field, lowDetail: session.settings.quality == .low),
                                      width: view.map.width, height: view.map.height)
            staticBatch.instances = chunks.ordered
            visibleChunks = nil
            session.staticDirty = false
            session.lastStaticDay = day
            lastRevision = view.map.revision
        }
        // Only the chunks the camera can see are drawn (the frame's ground footprint, plus a margin).
        let size = renderer.framebufferSize
        let visible = chunks.visible(camera: session.camera, width: size.width, height: size.height)
        if visible != visibleChunks {
            visibleChunks = visible
            staticBatch.ranges = chunks.ranges(of: visible)
        }
        // Low quality (school PCs): no smoke, blades or traffic.
        dynamicBatch.instances = (session.settings.quality == .low ? [] : SceneBuilder.dynamicInstances(view: view, seconds: time))
            + (session.editor?.isOpen == true ? Editor.brushInstances(session)
                : SceneBuilder.ghostInstances(session.ghost(), tool: session.tool, hover: session.hoverTile, view: view))
        let hour = Double(view.clock.hour) + min(0.999, max(0, session.tickCarry))
        let daylight = Daylight.level(hour: hour, dayOfYear: view.clock.dayOfYear, hoursPerSecond: session.hoursPerSecond,
                                      mode: session.settings.quality == .low ? .off : session.settings.dayNight)
        let (lighting, sky) = SceneBuilder.lighting(daylight: daylight, hour: hour)
        renderer.lighting = lighting
        renderer.clearColor = sky
        try renderer.beginFrame(camera: session.camera)
        renderer.draw(staticBatch)
        renderer.draw(dynamicBatch)
        if drawsHUD {
            canvas.scale = Float(session.uiScale(frame: size))
            HUD.draw(canvas, session: session, now: time)
            canvas.flush()
        }
    }

    /// False draws the city alone (`bench render --no-hud` measures the interface's share).
    public var drawsHUD = true
    var lastRevision = -1
    var lastRebuild = -Double.infinity
    var chunks = ChunkedInstances([], width: 1, height: 1)
    var visibleChunks: [Int]?

    public var drawCalls: Int { renderer.drawCallsThisFrame }
    /// Static instances drawn in the last frame (the chunks in view).
    public var staticInstanceCount: Int { staticBatch.ranges?.reduce(0) { $0 + $1.count } ?? staticBatch.instances.count }

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
        var window = (fullscreen: false, resolution: GameSettings.Resolution(width: view.window.size.width, height: view.window.size.height))
        while !session.quitRequested {
            // The Settings screen's window choices, applied when they change.
            if session.settings.fullscreen != window.fullscreen {
                view.window.setFullscreen(session.settings.fullscreen)
                window.fullscreen = session.settings.fullscreen
            }
            if session.settings.resolution != window.resolution {
                if !window.fullscreen { view.window.setSize(width: session.settings.resolution.width, height: session.settings.resolution.height) }
                window.resolution = session.settings.resolution
            }
            let size = view.renderer.framebufferSize
            for event in view.window.pollEvents() { session.handle(event, size: size, now: view.now) }
            let now = view.now
            // A slow frame (software GL, a busy machine) still credits its real time, up to a
            // second: the speed table's pace holds at a few frames a second; a longer stall is not caught up.
            let frame = min(1, now - last)
            last = now
            session.edgeScroll(size: view.canvas.size, seconds: frame)
            session.advance(frameSeconds: frame, clock: { view.now })
            session.checkLevelFiles(now: now)
            let drawStart = view.now
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
            session.renderSeconds = view.now - drawStart
            // Yield a little when the simulation has nothing to do (paused), to spare the CPU.
            if session.paused || session.menuOpen { usleep(8_000) }
        }
    }
}

/// Static instances bucketed into 16 × 16-tile chunks for view culling; large boxes (the ground,
/// long road runs) are always drawn. `ordered` holds them all, chunk by chunk in row order, then
/// the always-drawn, so that the chunks in view are a few contiguous ranges of one buffer.
struct ChunkedInstances {
    static let side = 16
    var always: [Instance] = []
    var buckets: [[Instance]]
    let chunksWide: Int
    let chunksTall: Int
    private(set) var ordered: [Instance] = []
    /// Where each chunk's instances are in `ordered`.
    private(set) var chunkRanges: [Range<Int>] = []

    init(_ instances: [Instance], width: Int, height: Int) {
        chunksWide = (width + ChunkedInstances.side - 1) / ChunkedInstances.side
        chunksTall = (height + ChunkedInstances.side - 1) / ChunkedInstances.side
        buckets = Array(repeating: [], count: chunksWide * chunksTall)
        for instance in instances {
            if instance.scale.x > 4 || instance.scale.z > 4 {
                always.append(instance)
                continue
            }
            let cx = min(chunksWide - 1, max(0, Int(instance.position.x) / ChunkedInstances.side))
            let cz = min(chunksTall - 1, max(0, Int(instance.position.z) / ChunkedInstances.side))
            buckets[cz * chunksWide + cx].append(instance)
        }
        ordered.reserveCapacity(instances.count)
        for bucket in buckets {
            chunkRanges.append(ordered.count..<(ordered.count + bucket.count))
            ordered += bucket
        }
        alwaysRange = ordered.count..<(ordered.count + always.count)
        ordered += always
    }

    /// Where the always-drawn instances are in `ordered`: last, so that the ground slab and the
    /// long road runs are drawn after what stands on them, and the depth test spares software
    /// GL the shading of the ground under every building.
    private(set) var alwaysRange = 0..<0

    /// The ranges of `ordered` to draw for the chunks `visible` (ascending): the chunks,
    /// neighbours in the buffer merged into one range, then the always-drawn instances.
    func ranges(of visible: [Int]) -> [Range<Int>] {
        var result: [Range<Int>] = []
        for chunk in visible + [-1] {
            let range = chunk < 0 ? alwaysRange : chunkRanges[chunk]
            guard !range.isEmpty else { continue }
            if let last = result.last, last.upperBound == range.lowerBound {
                result[result.count - 1] = last.lowerBound..<range.upperBound
            } else {
                result.append(range)
            }
        }
        return result.filter { !$0.isEmpty }
    }

    /// Chunks whose ground area meets the bounding box of what the camera sees.
    func visible(camera: Camera, width: Int, height: Int) -> [Int] {
        var points: [Vec3] = [camera.target]
        for (x, y) in [(0, 0), (width, 0), (0, height), (width, height), (width / 2, 0)] {
            guard let point = camera.groundPoint(x: Float(x), y: Float(y), width: width, height: height),
                  (point - camera.target).length < 4 * camera.distance else {
                return Array(buckets.indices)  // the horizon is in view: draw everything
            }
            points.append(point)
        }
        let margin: Float = 3
        let minX = points.map(\.x).min()! - margin, maxX = points.map(\.x).max()! + margin
        let minZ = points.map(\.z).min()! - margin, maxZ = points.map(\.z).max()! + margin
        let side = Float(ChunkedInstances.side)
        var result: [Int] = []
        for cz in 0..<chunksTall {
            for cx in 0..<chunksWide {
                let x0 = Float(cx) * side, z0 = Float(cz) * side
                if x0 <= maxX && x0 + side >= minX && z0 <= maxZ && z0 + side >= minZ { result.append(cz * chunksWide + cx) }
            }
        }
        return result
    }
}
