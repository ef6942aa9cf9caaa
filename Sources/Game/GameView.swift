// GameView.swift — the window and what is drawn in it each frame, and the interactive loop.
//
// A frame: rebuild the static batch if the city changed (new structure, a new day that grew a
// tree or moved a marker, an overlay shown, which a new day recolours)
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
    /// The static batch's meshes by the faces they have (`ChunkedInstances.faces`).
    let staticMeshes: [MeshData.BoxFaces: Int]
    let start = Date()

    public init(options: Window.Options) throws {
        window = try Window(options)
        renderer = try Renderer(window: window)
        canvas = try Canvas2D(renderer: renderer)
        staticBatch = InstancedBatch(renderer: renderer, mesh: Mesh.openBox(renderer: renderer))
        var sided: [MeshData.BoxFaces: Int] = [.open: 0]
        for x: MeshData.BoxFaces in [.plusX, .minusX, [.plusX, .minusX]] {
            for z: MeshData.BoxFaces in [.plusZ, .minusZ, [.plusZ, .minusZ]] {
                let faces = x.union(z).union(.top)
                if sided[faces] == nil { sided[faces] = staticBatch.addMesh(Mesh(renderer: renderer, data: .box(faces: faces))) }
            }
        }
        staticMeshes = sided
        dynamicBatch = InstancedBatch(renderer: renderer, mesh: Mesh.openBox(renderer: renderer))
    }

    /// Animation time, seconds since the view opened.
    public var now: Double { Date().timeIntervalSince(start) }

    /// Draws one frame of the session (`present()` shows it).
    public func render(_ session: GameSession, animationTime: Double? = nil) throws {
        let view = session.view
        let time = animationTime ?? now
        let day = view.clock.dayIndex
        // A new day refreshes trees, markers and overlay colours, at most once a second of real
        // time: at top speed days fly by, and rebuilding the scene each frame would starve input.
        // Without an overlay, only a day that changed what the scene shows rebuilds it (its
        // `dailySignature`): most days grow no tree by a step drawn, and a rebuild of the reference
        // city takes about 20 ms, a frame's hitch every game day.
        var newDay = day != session.lastStaticDay && time - lastRebuild >= 1
        let changed = session.staticDirty || view.map.revision != lastRevision
        if newDay && !changed && session.overlay == .none && SceneBuilder.dailySignature(view: view) == lastSignature {
            newDay = false
            session.lastStaticDay = day
        }
        lastStaticRebuildSeconds = 0
        if changed || newDay {
            let rebuildStart = now
            lastRebuild = time
            let field = OverlayField.compute(session.overlay, view: view)
            session.overlayField = field
            chunks = ChunkedInstances(SceneBuilder.staticInstances(view: view, overlay: field, lowDetail: session.settings.quality == .low),
                                      width: view.map.width, height: view.map.height)
            staticBatch.instances = chunks.ordered
            lastSignature = SceneBuilder.dailySignature(view: view)
            session.staticDirty = false
            session.lastStaticDay = day
            lastRevision = view.map.revision
            lastStaticRebuildSeconds = now - rebuildStart
        }
        // Only the chunks the camera can see are drawn (the frame's ground footprint, plus a margin).
        let size = renderer.framebufferSize
        let visible = chunks.visible(camera: session.camera, width: size.width, height: size.height)
        // Which chunks are near or far, and which line of chunks is nearest, follow the camera:
        // the ranges are chosen anew each frame (a few hundred chunks at most; nothing is uploaded).
        let drawn = chunks.ranges(of: visible, camera: session.camera, frameHeight: size.height)
        staticBatch.ranges = drawn.map(\.range)
        staticBatch.rangeMeshes = drawn.map { staticMeshes[$0.faces] ?? 0 }
        // Low quality (school PCs): no smoke, blades or traffic.
        let moving = session.settings.quality == .low ? [] : SceneBuilder.dynamicInstances(view: view, seconds: time)
        dynamicBatch.instances = chunks.culled(moving, visible: visible, camera: session.camera, frameHeight: size.height)
            + (session.editor?.isOpen == true ? Editor.brushInstances(session)
                : SceneBuilder.ghostInstances(session.ghost(), tool: session.tool, hover: session.hoverTile, view: view))
        let hour = Double(view.clock.hour) + min(0.999, max(0, session.tickCarry))
        let daylight = Daylight.level(hour: hour, dayOfYear: view.clock.dayOfYear, hoursPerSecond: session.hoursPerSecond,
                                      mode: session.settings.quality == .low ? .off : session.settings.dayNight)
        let (lighting, sky) = SceneBuilder.lighting(daylight: daylight, hour: hour)
        renderer.lighting = lighting
        renderer.clearColor = sky
        renderer.renderScale = renderScaleOverride ?? 1
        try renderer.beginFrame(camera: session.camera)
        renderer.draw(staticBatch)
        renderer.draw(dynamicBatch)
        if drawsHUD {
            canvas.scale = Float(session.uiScale(frame: size))
            HUD.draw(canvas, session: session, now: time)
            canvas.flush()
        }
    }

    /// Set, the scene is drawn at this fraction of the window's resolution (`bench render
    /// --render-scale`). Not tied to the graphics quality: in software GL the stretch over the
    /// full frame costs nearly what the smaller scene saves (docs/performance.md), so the light
    /// quality would only be blurred.
    public var renderScaleOverride: Float?

    /// False draws the city alone (`bench render --no-hud` measures the interface's share).
    public var drawsHUD = true
    var lastRevision = -1
    var lastRebuild = -Double.infinity
    /// The scene's `dailySignature` when it was last rebuilt.
    var lastSignature = 0
    var chunks = ChunkedInstances([], width: 1, height: 1)

    public var drawCalls: Int { renderer.drawCallsThisFrame }
    /// Seconds the last frame spent rebuilding the static scene (0 when it did not; `bench render`
    /// names it in the longest input stall).
    public private(set) var lastStaticRebuildSeconds = 0.0
    /// Static instances drawn in the last frame (the chunks in view).
    public var dynamicInstanceCount: Int { dynamicBatch.instances.count }
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
/// long road runs) are always drawn. Each chunk is kept twice: at full detail and merged for a
/// distance (`merged`: what stands on a 2 × 2-tile block as one box), and is drawn with the
/// faces the camera can see (`faces`). `ordered` holds four
/// copies, chunk by chunk in row order and in column order, at each detail, then the
/// always-drawn, so that the chunks in view are a few contiguous ranges of one buffer whatever
/// the way the camera looks, drawn nearest line of chunks first.
struct ChunkedInstances {
    static let side = 16
    /// A chunk is drawn merged where a tile is smaller than this on screen (pixels): a 2 × 2
    /// block then spans at most 16 pixels, and the merged box is hard to tell from its parts.
    static let farTilePixels: Float = 8
    var always: [Instance] = []
    var buckets: [[Instance]]
    /// The top of each chunk's tallest box.
    private(set) var chunkTops: [Float]
    let chunksWide: Int
    let chunksTall: Int
    private(set) var ordered: [Instance] = []
    /// Where each chunk's instances are in `ordered`, per layout (`layout(byRows:far:)`) and chunk.
    private(set) var chunkRanges: [[Range<Int>]] = []
    /// Instances at full detail and merged, over all chunks.
    private(set) var nearCount = 0
    private(set) var farCount = 0

    init(_ instances: [Instance], width: Int, height: Int) {
        chunksWide = (width + ChunkedInstances.side - 1) / ChunkedInstances.side
        chunksTall = (height + ChunkedInstances.side - 1) / ChunkedInstances.side
        buckets = Array(repeating: [], count: chunksWide * chunksTall)
        chunkTops = Array(repeating: 0, count: chunksWide * chunksTall)
        for instance in instances {
            if instance.scale.x > 4 || instance.scale.z > 4 {
                always.append(instance)
                continue
            }
            let index = chunk(at: instance.position)
            buckets[index].append(instance)
            chunkTops[index] = max(chunkTops[index], instance.position.y + instance.scale.y)
        }
        let far = buckets.map(ChunkedInstances.merged)
        nearCount = buckets.reduce(0) { $0 + $1.count }
        farCount = far.reduce(0) { $0 + $1.count }
        ordered.reserveCapacity(2 * (nearCount + farCount) + always.count)
        let byColumns = (0..<chunksWide).flatMap { cx in (0..<chunksTall).map { cz in cz * chunksWide + cx } }
        for detail in [buckets, far] {
            for order in [Array(buckets.indices), byColumns] {
                var ranges = [Range<Int>](repeating: 0..<0, count: buckets.count)
                for chunk in order {
                    ranges[chunk] = ordered.count..<(ordered.count + detail[chunk].count)
                    ordered += detail[chunk]
                }
                chunkRanges.append(ranges)
            }
        }
        alwaysRange = ordered.count..<(ordered.count + always.count)
        ordered += always
    }

    static func layout(byRows: Bool, far: Bool) -> Int { (far ? 2 : 0) + (byRows ? 0 : 1) }

    /// Where the always-drawn instances are in `ordered`: last, so that the ground slab and the
    /// long road runs are drawn after what stands on them, and the depth test spares software
    /// GL the shading of the ground under every building.
    private(set) var alwaysRange = 0..<0

    /// A chunk's instances for a distance: each 2 × 2-tile block's buildings, plants, stores and
    /// trees as one box over their footprints, as tall as their mean height weighted by
    /// footprint, in the colour of the largest. Kept as they are: the ground (y ≤ 0), flat covers
    /// (fields, solar, at most 0.1 high), thin things (towers, chimneys, posts: merged, they
    /// would swell) and what floats (markers), so that the city's outline and its alerts stay.
    static func merged(_ chunk: [Instance]) -> [Instance] {
        struct Block { var minX: Float, maxX: Float, minZ: Float, maxZ: Float, area: Float, heightArea: Float, largest: Float, color: UInt32, first: Instance, count: Int }
        var out: [Instance] = []
        var blocks: [Int: Block] = [:]
        var order: [Int] = []
        for instance in chunk {
            let p = instance.position, s = instance.scale
            if p.y <= 0 || p.y > 1 || s.y <= 0.1 || min(s.x, s.z) < 0.2 {
                out.append(instance)
                continue
            }
            let key = (Int(p.z) / 2) * 65_536 + Int(p.x) / 2
            let area = s.x * s.z, volume = area * s.y
            let minX = p.x - s.x / 2, maxX = p.x + s.x / 2, minZ = p.z - s.z / 2, maxZ = p.z + s.z / 2
            if var block = blocks[key] {
                block.minX = min(block.minX, minX); block.maxX = max(block.maxX, maxX)
                block.minZ = min(block.minZ, minZ); block.maxZ = max(block.maxZ, maxZ)
                block.area += area; block.heightArea += area * s.y; block.count += 1
                if volume > block.largest { block.largest = volume; block.color = instance.packedColor }
                blocks[key] = block
            } else {
                blocks[key] = Block(minX: minX, maxX: maxX, minZ: minZ, maxZ: maxZ, area: area, heightArea: area * s.y,
                                    largest: volume, color: instance.packedColor, first: instance, count: 1)
                order.append(key)
            }
        }
        for key in order {
            let block = blocks[key]!
            guard block.count > 1 else { out.append(block.first); continue }
            var box = Instance(position: Vec3((block.minX + block.maxX) / 2, block.first.position.y, (block.minZ + block.maxZ) / 2),
                               scale: Vec3(block.maxX - block.minX, block.heightArea / block.area, block.maxZ - block.minZ))
            box.packedColor = block.color
            out.append(box)
        }
        return out
    }

    /// The ranges of `ordered` to draw for the chunks `visible`, each with the faces its boxes
    /// need: line by line of chunks (rows or columns, whichever runs more across the view), the
    /// nearest line first so that the depth test rejects what is hidden before it is shaded; in a
    /// line, neighbouring chunks of one detail and one set of faces merged into one range; each
    /// chunk at full detail, or merged where its tiles are smaller than `farTilePixels` in a frame
    /// `frameHeight` pixels high. Then the always-drawn, with every face but the bottom.
    func ranges(of visible: [Int], camera: Camera, frameHeight: Int) -> [(range: Range<Int>, faces: MeshData.BoxFaces)] {
        let eye = camera.eye
        let byRows = abs(eye.z - camera.target.z) >= abs(eye.x - camera.target.x)
        let farDistance = ChunkedInstances.farDistance(camera: camera, frameHeight: frameHeight)
        let side = Float(ChunkedInstances.side)
        var lines: [Int: [Int]] = [:]
        for chunk in visible { lines[byRows ? chunk / chunksWide : chunk % chunksWide, default: []].append(chunk) }
        let eyeLine = (byRows ? eye.z : eye.x) / side - 0.5
        var result: [(range: Range<Int>, faces: MeshData.BoxFaces)] = []
        for line in lines.keys.sorted(by: { (abs(Float($0) - eyeLine), $0) < (abs(Float($1) - eyeLine), $1) }) {
            var previous: Int?
            for chunk in lines[line]!.sorted(by: { byRows ? $0 < $1 : ($0 % chunksWide, $0 / chunksWide) < ($1 % chunksWide, $1 / chunksWide) }) {
                let range = chunkRanges[ChunkedInstances.layout(byRows: byRows, far: isFar(chunk, eye: eye, farDistance: farDistance))][chunk]
                guard !range.isEmpty else { continue }
                let faces = self.faces(of: chunk, camera: camera)
                if let last = previous, result[last].range.upperBound == range.lowerBound, result[last].faces == faces {
                    result[last].range = result[last].range.lowerBound..<range.upperBound
                } else {
                    result.append((range, faces))
                    previous = result.count - 1
                }
            }
        }
        if !alwaysRange.isEmpty { result.append((alwaysRange, .open)) }
        return result
    }

    /// The faces of a chunk's boxes the camera can see: the top, and on each axis the side
    /// facing the eye, or both sides when the eye is over the chunk's extent on that axis (its
    /// boxes reach at most 2 tiles past it: a run on the ground up to 4 long is centred in it).
    /// A parallel projection sees the same sides of every box.
    func faces(of chunk: Int, camera: Camera) -> MeshData.BoxFaces {
        let side = Float(ChunkedInstances.side), reach: Float = 2
        let eye = camera.eye
        var faces: MeshData.BoxFaces = .top
        if case .orthographic = camera.projection {
            faces.insert(eye.x >= camera.target.x ? .plusX : .minusX)
            faces.insert(eye.z >= camera.target.z ? .plusZ : .minusZ)
            return faces
        }
        let x0 = Float(chunk % chunksWide) * side - reach, z0 = Float(chunk / chunksWide) * side - reach
        let x1 = x0 + side + 2 * reach, z1 = z0 + side + 2 * reach
        if eye.x > x1 { faces.insert(.plusX) } else if eye.x < x0 { faces.insert(.minusX) } else { faces.formUnion([.plusX, .minusX]) }
        if eye.z > z1 { faces.insert(.plusZ) } else if eye.z < z0 { faces.insert(.minusZ) } else { faces.formUnion([.plusZ, .minusZ]) }
        return faces
    }

    /// The distance from the eye beyond which a tile is smaller than `farTilePixels` in a frame
    /// `frameHeight` pixels high (pixels per world unit at distance r: frameHeight / (2 r tan(fov / 2))).
    static func farDistance(camera: Camera, frameHeight: Int) -> Float {
        let perUnit = Float(frameHeight) / (2 * tan(camera.fovY / 2))
        if case .orthographic = camera.projection { return perUnit / camera.distance < farTilePixels ? 0 : .infinity }
        return perUnit / farTilePixels
    }

    func isFar(_ chunk: Int, eye: Vec3, farDistance: Float) -> Bool {
        let side = Float(ChunkedInstances.side)
        let centre = Vec3((Float(chunk % chunksWide) + 0.5) * side, 0, (Float(chunk / chunksWide) + 0.5) * side)
        return (centre - eye).length > farDistance
    }

    func chunk(at position: Vec3) -> Int {
        let cx = min(chunksWide - 1, max(0, Int(position.x) / ChunkedInstances.side))
        let cz = min(chunksTall - 1, max(0, Int(position.z) / ChunkedInstances.side))
        return cz * chunksWide + cx
    }

    /// Moving things worth drawing: those over a chunk in view, and, over a far chunk, only what
    /// stands taller than 0.1 tile (smoke): vehicles and turbine blades there would be under a
    /// pixel (the turbine's tower, static, stays).
    func culled(_ moving: [Instance], visible: [Int], camera: Camera, frameHeight: Int) -> [Instance] {
        var inView = [Bool](repeating: false, count: buckets.count)
        for chunk in visible { inView[chunk] = true }
        let eye = camera.eye, farDistance = ChunkedInstances.farDistance(camera: camera, frameHeight: frameHeight)
        return moving.filter { instance in
            let chunk = chunk(at: instance.position)
            return inView[chunk] && (instance.scale.y > 0.1 || !isFar(chunk, eye: eye, farDistance: farDistance))
        }
    }

    /// Chunks whose bounds meet the camera's view (its frustum): a chunk's bounds are its
    /// ground area with the 2 tiles its boxes may reach past it, from below the ground up to
    /// its tallest box and at least `movingTop` (smoke). The test is exact for a box (all eight
    /// corners outside one plane of the frustum), so nothing in view is left out; a chunk
    /// merely in the bounding rectangle of the view's footprint is (at a 45° yaw, that
    /// rectangle is twice the footprint).
    func visible(camera: Camera, width: Int, height: Int) -> [Int] {
        let clip = camera.viewProjection(width: width, height: height)
        let side = Float(ChunkedInstances.side), reach: Float = 2
        var result: [Int] = []
        for chunk in buckets.indices {
            let x0 = Float(chunk % chunksWide) * side - reach, z0 = Float(chunk / chunksWide) * side - reach
            let low = Vec3(x0, -0.1, z0), high = Vec3(x0 + side + 2 * reach, max(chunkTops[chunk], ChunkedInstances.movingTop), z0 + side + 2 * reach)
            if ChunkedInstances.meetsFrustum(clip, low: low, high: high) { result.append(chunk) }
        }
        return result
    }

    /// What moves stands at most this high (smoke: 1.4 above its plant, up to 2.5 across).
    static let movingTop: Float = 5

    /// False when the box `low`…`high` is wholly outside one plane of the clip volume of
    /// `clip` (a view-projection matrix): all its corners beyond it.
    static func meetsFrustum(_ clip: Mat4, low: Vec3, high: Vec3) -> Bool {
        // Corners outside each of the six planes, counted in a vector (no allocation per chunk).
        var outside = SIMD8<Int32>(repeating: 0)
        for corner in 0..<8 {
            let p = clip * Vec4(corner & 1 == 0 ? low.x : high.x, corner & 2 == 0 ? low.y : high.y, corner & 4 == 0 ? low.z : high.z, 1)
            outside &+= SIMD8<Int32>(p.x < -p.w ? 1 : 0, p.x > p.w ? 1 : 0, p.y < -p.w ? 1 : 0, p.y > p.w ? 1 : 0,
                                     p.z < -p.w ? 1 : 0, p.z > p.w ? 1 : 0, 0, 0)
        }
        return !any(outside .== 8)
    }
}
