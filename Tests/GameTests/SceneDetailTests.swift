// SceneDetailTests — the static scene's level of detail and its drawing order, without a window:
// a far chunk's 2 × 2-tile blocks merged into one box each (ground, flat, thin and floating
// things kept), every chunk in view drawn once at one detail, the nearest line of chunks first,
// and moving things culled to the view (vehicles and blades dropped over far chunks).
@testable import Game
import CitySim
import ECS
import Render
import Testing

@Suite("Scene level of detail")
struct SceneDetailTests {
    static let building = Vec4(0.8, 0.2, 0.2, 1), small = Vec4(0.2, 0.2, 0.8, 1)

    /// Four buildings on one 2 × 2 block (one of them tallest and widest), plus what must stay.
    static var block: [Instance] {
        [Instance(position: Vec3(0.5, 0.05, 0.5), scale: Vec3(0.8, 1.0, 0.8), color: small),
         Instance(position: Vec3(1.5, 0.05, 0.5), scale: Vec3(0.8, 2.0, 0.8), color: small),
         Instance(position: Vec3(0.5, 0.05, 1.5), scale: Vec3(0.9, 3.0, 0.9), color: building),
         Instance(position: Vec3(1.5, 0.05, 1.5), scale: Vec3(0.8, 0.5, 0.8), color: small)]
    }
    static let kept = [
        Instance(position: Vec3(3, 0, 0.5), scale: Vec3(2, 0.05, 1), color: small),           // a road run on the ground
        Instance(position: Vec3(2.5, 0.05, 0.5), scale: Vec3(0.9, 0.08, 0.9), color: small),  // solar: flat
        Instance(position: Vec3(3.5, 0.05, 0.5), scale: Vec3(0.08, 1.4, 0.08), color: small), // a turbine's tower: thin
        Instance(position: Vec3(2.5, 1.9, 1.5), scale: Vec3(0.34, 0.34, 0.34), color: small), // a marker: floating
    ]

    @Test func aFarBlockIsOneBoxOverItsBuildingsAndTheRestStays() {
        let merged = ChunkedInstances.merged(Self.block + Self.kept)
        #expect(merged.count == Self.kept.count + 1)
        for instance in Self.kept { #expect(merged.contains(instance), "\(instance) should be kept as it is") }
        let box = merged.first { !Self.kept.contains($0) }!
        // Footprint: the four footprints' bounding box, x 0.05…1.9, z 0.1…1.95.
        #expect(abs(box.position.x - 0.975) < 1e-5 && abs(box.scale.x - 1.85) < 1e-5)
        #expect(abs(box.position.z - 1.025) < 1e-5 && abs(box.scale.z - 1.85) < 1e-5)
        // Height: the mean weighted by footprint, (0.64·1 + 0.64·2 + 0.81·3 + 0.64·0.5) / 2.73.
        #expect(abs(box.scale.y - 4.67 / 2.73) < 1e-4)
        #expect(box.position.y == 0.05)
        #expect(box.color == Instance(position: .zero, color: Self.building).color, "the largest building's colour")
    }

    /// The ground of a street grid (the 64 × 64 reference city: a street every 4 tiles, a metro
    /// line of rail each way): each street is one box, not one a block side, and every tile shows
    /// its own colour (where boxes overlap, at a crossing, they are of its colour).
    @Test func aStreetGridIsOneGroundBoxAStreet() throws {
        let level = try #require(BuiltinLevels.load("reference-64", catalog: catalog).level)
        let city = City(level: level, catalog: catalog)
        let map = city.view.map
        let ground = SceneBuilder.staticInstances(view: city.view, overlay: nil).filter { $0.position.y <= 0 && $0.scale.y <= 0.05 }
        let slab = try #require(ground.first { $0.scale.x == Float(map.width) && $0.scale.z == Float(map.height) })
        let runs = ground.filter { $0 != slab }
        for y in 0..<map.height {
            for x in 0..<map.width {
                let colour = Instance(position: .zero, color: SceneBuilder.groundColor(x, y, map: map, overlay: nil)).packedColor
                let over = runs.filter { abs($0.position.x - (Float(x) + 0.5)) < $0.scale.x / 2 && abs($0.position.z - (Float(y) + 0.5)) < $0.scale.z / 2 }
                if over.isEmpty {
                    #expect(colour == slab.packedColor, "tile \(x), \(y) shows the slab but is not of its colour")
                } else {
                    #expect(over.allSatisfy { $0.packedColor == colour }, "tile \(x), \(y) is under a run of another colour")
                }
            }
        }
        // 16 street rows and 16 columns, each cut where the metro's rail crosses it, and the two
        // rail lines (one cut by the other's stations' colour, the same): at most 2 boxes a line.
        #expect(runs.count <= 2 * (16 + 16 + 2), "\(runs.count) ground boxes")
    }

    /// A day's growth is too small to draw: it leaves the scene and its daily signature as they
    /// were, so the window does not rebuild the scene for it. Growing past a step changes both.
    @Test func aDayOfGrowthRebuildsNothingAndAStepOfGrowthDoes() throws {
        let level = try #require(LevelFile.load(path: repositoryRoot + "/Levels/sandbox.toml", catalog: catalog).level)
        let city = City(level: level, catalog: catalog)
        var forest: Entity?
        city.view.forEachZone { entity, zone, _ in if zone.kind == .forest && forest == nil { forest = entity } }
        let tree = try #require(forest, "the sandbox has a forest")
        let maturityHours = catalog.zone(.forest).maturityAge * Sinks.hoursPerYear
        let stepHours = maturityHours / Double(SceneBuilder.treeGrowthSteps)
        func scene(ageHours: Double) throws -> (signature: Int, instances: [Instance]) {
            try city.world.modify(GreenZone.self, of: tree) { $0.ageHours = ageHours }
            return (SceneBuilder.dailySignature(view: city.view), SceneBuilder.staticInstances(view: city.view, overlay: nil))
        }
        let early = try scene(ageHours: 3.2 * stepHours)
        let dayLater = try scene(ageHours: 3.2 * stepHours + 24)
        let stepLater = try scene(ageHours: 4.2 * stepHours)
        #expect(early.signature == dayLater.signature && early.instances == dayLater.instances)
        #expect(early.signature != stepLater.signature)
        #expect(early.instances != stepLater.instances, "the forest's trees are drawn taller")
    }

    @Test func aLoneBuildingIsNotMerged() {
        let lone = Instance(position: Vec3(4.5, 0.05, 4.5), scale: Vec3(0.8, 1.2, 0.8), color: Self.building)
        #expect(ChunkedInstances.merged(Self.block + [lone]).contains(lone))
    }

    /// A 64 × 64-tile city: one building on every tile.
    static func city() -> ChunkedInstances {
        var instances = [Instance(position: Vec3(32, -0.01, 32), scale: Vec3(64, 0.05, 64), color: small)]
        for z in 0..<64 { for x in 0..<64 { instances.append(Instance(position: Vec3(Float(x) + 0.5, 0.05, Float(z) + 0.5), scale: Vec3(0.8, 1, 0.8), color: building)) } }
        return ChunkedInstances(instances, width: 64, height: 64)
    }

    @Test func everyChunkInViewIsDrawnOnceNearestLineFirst() throws {
        let chunks = Self.city()
        #expect(chunks.nearCount == 64 * 64 && chunks.farCount == 64 * 64 / 4)
        let all = Array(0..<16)
        for (distance, yaw) in [(Float(20), Float(0)), (60, 1.2), (300, 0.3), (300, 2.5)] {
            let camera = Camera(target: Vec3(32, 0, 32), yaw: yaw, distance: distance,
                                bounds: Camera.Bounds(maxDistance: 1000))
            let ranges = chunks.ranges(of: all, camera: camera, frameHeight: 720).map(\.range)
            #expect(ranges.last == chunks.alwaysRange, "the ground slab last")
            let drawn = ranges.dropLast().flatMap { Array($0) }
            #expect(Set(drawn).count == drawn.count, "no instance twice")
            // Each chunk once: its instances at one detail, all of them.
            #expect(drawn.count >= 64 * 64 / 4 && drawn.count <= 64 * 64)
            var detailOfChunk: [Int: Int] = [:]
            for index in drawn {
                let layout = chunks.chunkRanges.firstIndex { $0.contains { $0.contains(index) } }!
                let chunk = chunks.chunkRanges[layout].firstIndex { $0.contains(index) }!
                #expect(detailOfChunk[chunk, default: layout] == layout, "chunk \(chunk) drawn at two details")
                detailOfChunk[chunk] = layout
            }
            #expect(Set(detailOfChunk.keys) == Set(all), "every chunk in view is drawn")
            for (chunk, layout) in detailOfChunk {
                #expect(chunks.chunkRanges[layout][chunk].allSatisfy { drawn.contains($0) }, "chunk \(chunk) drawn whole")
            }
            // Nearest line first: the first range drawn is in the line of chunks nearest the eye.
            let first = drawn.first!, firstLayout = chunks.chunkRanges.firstIndex { $0.contains { $0.contains(first) } }!
            let firstChunk = chunks.chunkRanges[firstLayout].firstIndex { $0.contains(first) }!
            let byRows = abs(camera.eye.z - 32) >= abs(camera.eye.x - 32)
            let eyeLine = min(3, max(0, Int((byRows ? camera.eye.z : camera.eye.x) / 16)))
            #expect((byRows ? firstChunk / 4 : firstChunk % 4) == eyeLine, "yaw \(yaw): first chunk \(firstChunk)")
        }
    }

    @Test func aCloseCameraDrawsFullDetailAndAFarOneMerges() {
        let chunks = Self.city()
        func drawn(distance: Float) -> Int {
            let camera = Camera(target: Vec3(32, 0, 32), distance: distance, bounds: Camera.Bounds(maxDistance: 1000))
            return chunks.ranges(of: Array(0..<16), camera: camera, frameHeight: 720).dropLast().reduce(0) { $0 + $1.range.count }
        }
        #expect(drawn(distance: 20) == 64 * 64)
        #expect(drawn(distance: 400) == 64 * 64 / 4)
        // A taller frame keeps detail further away.
        let camera = Camera(target: Vec3(32, 0, 32), distance: 200, bounds: Camera.Bounds(maxDistance: 1000))
        let small = chunks.ranges(of: Array(0..<16), camera: camera, frameHeight: 360).dropLast().reduce(0) { $0 + $1.range.count }
        let large = chunks.ranges(of: Array(0..<16), camera: camera, frameHeight: 2880).dropLast().reduce(0) { $0 + $1.range.count }
        #expect(small < large)
    }

    /// The chunks in view are those whose bounds meet the camera's frustum: every building with
    /// a corner inside the view is in one of them, and at a 45° yaw, close, a good part of the
    /// chunks of the view footprint's bounding rectangle are left out.
    @Test func theChunksInViewAreThoseTheFrustumMeets() {
        let chunks = Self.city()
        let (width, height) = (1280, 720)
        var leftOut = 0
        for (target, yaw, distance) in [(Vec3(32, 0, 32), Float(0.785), Float(30)), (Vec3(10, 0, 50), 2.3, 20), (Vec3(32, 0, 32), 0.3, 150),
                                        (Vec3(60, 0, 4), 4.0, 12)] {
            let camera = Camera(target: target, yaw: yaw, distance: distance, bounds: Camera.Bounds(maxDistance: 1000))
            let visible = Set(chunks.visible(camera: camera, width: width, height: height))
            let clip = camera.viewProjection(width: width, height: height)
            for chunk in 0..<16 {
                for index in chunks.chunkRanges[0][chunk] {
                    let box = chunks.ordered[index]
                    let inView = (0..<8).contains { corner in
                        let p = box.position + Vec3((corner & 1 == 0 ? -0.5 : 0.5) * box.scale.x, corner & 2 == 0 ? 0 : box.scale.y,
                                                    (corner & 4 == 0 ? -0.5 : 0.5) * box.scale.z)
                        let c = clip * Vec4(p, 1)
                        return c.w > 0 && abs(c.x) <= c.w && abs(c.y) <= c.w && abs(c.z) <= c.w
                    }
                    if inView { #expect(visible.contains(chunk), "a building in view at \(box.position) is in chunk \(chunk), left out") }
                }
            }
            leftOut += 16 - visible.count
        }
        #expect(leftOut > 0, "no chunk was ever left out")
        // A box wholly beyond one plane is out; one across the view is in.
        let camera = Camera(target: Vec3(32, 0, 32), yaw: 0, distance: 30)
        let clip = camera.viewProjection(width: width, height: height)
        #expect(ChunkedInstances.meetsFrustum(clip, low: Vec3(0, 0, 0), high: Vec3(64, 1, 64)))
        #expect(!ChunkedInstances.meetsFrustum(clip, low: Vec3(-500, 0, 0), high: Vec3(-400, 1, 64)))
        #expect(!ChunkedInstances.meetsFrustum(clip, low: Vec3(0, 0, 200), high: Vec3(64, 1, 300)), "behind the eye")
    }

    @Test func eachChunkIsDrawnWithTheSidesFacingTheEye() {
        let chunks = Self.city()
        // Yaw 0: the eye is on the +z side of the target, over the middle of the map in x.
        let camera = Camera(target: Vec3(32, 0, 20), yaw: 0, distance: 30)
        let eye = camera.eye
        #expect(eye.x == 32 && eye.z > 44 && eye.z < 45)
        #expect(chunks.faces(of: 0, camera: camera) == [.top, .plusX, .plusZ], "chunk 0 (x 0…16, z 0…16): left of and in front of the eye")
        #expect(chunks.faces(of: 3, camera: camera) == [.top, .minusX, .plusZ])
        #expect(chunks.faces(of: 1, camera: camera) == [.top, .plusX, .plusZ] || chunks.faces(of: 1, camera: camera) == [.top, .plusX, .minusX, .plusZ])
        #expect(chunks.faces(of: 2 * 4 + 1, camera: camera) == [.top, .plusX, .minusX, .plusZ, .minusZ], "the eye is over chunk 9's extent in z (32…48)")
        // Every box's visible sides are among its chunk's faces: the eye is on the outer side of each face drawn... and of no face left out.
        for chunk in 0..<16 {
            let faces = chunks.faces(of: chunk, camera: camera)
            for index in chunks.chunkRanges[0][chunk] {
                let box = chunks.ordered[index]
                let halfX = box.scale.x / 2, halfZ = box.scale.z / 2
                if eye.x > box.position.x + halfX { #expect(faces.contains(.plusX), "box \(index): +x side seen") }
                if eye.x < box.position.x - halfX { #expect(faces.contains(.minusX), "box \(index): −x side seen") }
                if eye.z > box.position.z + halfZ { #expect(faces.contains(.plusZ), "box \(index): +z side seen") }
                if eye.z < box.position.z - halfZ { #expect(faces.contains(.minusZ), "box \(index): −z side seen") }
            }
        }
    }

    @Test func movingThingsAreCulledToTheViewAndDroppedWhenFar() {
        let chunks = Self.city()
        let vehicle = Instance(position: Vec3(2, 0.06, 2), scale: Vec3(0.14, 0.08, 0.14), color: Self.small)
        let smoke = Instance(position: Vec3(2, 1.4, 2), scale: Vec3(0.3, 0.3, 0.3), color: Self.small)
        let elsewhere = Instance(position: Vec3(60, 0.06, 60), scale: Vec3(0.14, 0.08, 0.14), color: Self.small)
        let near = Camera(target: Vec3(2, 0, 2), distance: 10)
        #expect(chunks.culled([vehicle, smoke, elsewhere], visible: [0], camera: near, frameHeight: 720) == [vehicle, smoke])
        let far = Camera(target: Vec3(2, 0, 2), distance: 400, bounds: Camera.Bounds(maxDistance: 1000))
        #expect(chunks.culled([vehicle, smoke, elsewhere], visible: [0], camera: far, frameHeight: 720) == [smoke])
    }
}
