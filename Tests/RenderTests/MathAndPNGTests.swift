// Render tests that need no display: matrices, the orbit camera, GL version parsing, checksums,
// the PNG encoder (chunk CRCs recomputed independently, pixels decoded by python3 when present)
// and atomic file writing.

import Checksum
import Foundation
import Raster
import Render
import Testing

@Suite("Math and camera")
struct MathTests {
    func close(_ a: Mat4, _ b: Mat4, _ eps: Float = 1e-4) -> Bool {
        (0..<16).allSatisfy { abs(a.m[$0] - b.m[$0]) < eps }
    }

    @Test func matrixInverse() throws {
        let m = Mat4.translation(Vec3(3, -2, 5)) * Mat4.rotationY(0.7) * Mat4.scale(Vec3(2, 3, 0.5))
        let inv = try #require(m.inverse)
        #expect(close(m * inv, .identity))
        #expect(close(inv * m, .identity))
        #expect(Mat4.scale(Vec3(1, 0, 1)).inverse == nil)
    }

    @Test func columnMajorTranslation() {
        let t = Mat4.translation(Vec3(1, 2, 3))
        #expect(t.m[12] == 1 && t.m[13] == 2 && t.m[14] == 3)
        #expect(t.transformPoint(Vec3(1, 1, 1)) == Vec3(2, 3, 4))
    }

    @Test func cameraClampsToBounds() {
        var camera = Camera(bounds: Camera.Bounds(minTarget: Vec3(-10, 0, -10), maxTarget: Vec3(10, 0, 10),
                                                  minPitch: radians(20), maxPitch: radians(80),
                                                  minDistance: 5, maxDistance: 50))
        camera.zoom(by: 100)
        #expect(camera.distance == 50)
        camera.zoom(by: 0.0001)
        #expect(camera.distance == 5)
        camera.rotate(yaw: 0, pitch: 10)
        #expect(abs(camera.pitch - radians(80)) < 1e-6)
        camera.rotate(yaw: 0, pitch: -10)
        #expect(abs(camera.pitch - radians(20)) < 1e-6)
        camera.pan(right: 1000, forward: -1000)
        #expect(abs(camera.target.x) <= 10 && abs(camera.target.z) <= 10)
        camera.rotate(yaw: 7)
        #expect(camera.yaw >= -.pi && camera.yaw <= .pi)
    }

    @Test(arguments: [Camera.Projection.perspective(fovY: radians(40)), .orthographic(fovY: radians(40))])
    func projectThenPickGround(projection: Camera.Projection) throws {
        let camera = Camera(target: Vec3(2, 0, -1), yaw: radians(30), pitch: radians(45), distance: 20,
                            projection: projection)
        for point in [Vec3(2, 0, -1), Vec3(5, 0, 3), Vec3(-4, 0, -6)] {
            let p = try #require(camera.project(point, width: 800, height: 600))
            let back = try #require(camera.groundPoint(x: p.x, y: p.y, width: 800, height: 600))
            #expect((back - point).length < 1e-2, "\(point) → \(p) → \(back)")
        }
        let centre = try #require(camera.project(camera.target, width: 800, height: 600))
        #expect(abs(centre.x - 400) < 0.5 && abs(centre.y - 300) < 0.5)
    }

    @Test func panFollowsScreenAxes() {
        var camera = Camera(target: .zero, yaw: 0, pitch: radians(45), distance: 20)
        camera.pan(right: 1, forward: 0)
        #expect((camera.target - Vec3(1, 0, 0)).length < 1e-5)
        camera.pan(right: 0, forward: 1)
        #expect((camera.target - Vec3(1, 0, -1)).length < 1e-5)
    }

    @Test("dragging the ground by pixels keeps the grabbed point under the cursor (orthographic)")
    func panByPixels() throws {
        var camera = Camera(target: Vec3(1, 0, 2), yaw: radians(40), pitch: radians(35), distance: 25,
                            projection: .orthographic(fovY: radians(40)))
        let grabbed = try #require(camera.groundPoint(x: 300, y: 200, width: 800, height: 600))
        camera.pan(pixelsX: 37, pixelsY: -22, viewportHeight: 600)
        let now = try #require(camera.groundPoint(x: 337, y: 178, width: 800, height: 600))
        #expect((now - grabbed).length < 1e-2, "\(grabbed) vs \(now)")
    }

    @Test func glVersionParsing() {
        #expect(parseGLVersion("4.5 (Core Profile) Mesa 22.3.6")! == (4, 5))
        #expect(parseGLVersion("3.3.0 NVIDIA 535.1")! == (3, 3))
        #expect(parseGLVersion("OpenGL ES 3.2 Mesa")! == (3, 2))
        #expect(parseGLVersion("") == nil)
        #expect(isAtLeastGL33((3, 3)) && isAtLeastGL33((4, 1)))
        #expect(!isAtLeastGL33((3, 1)) && !isAtLeastGL33((2, 1)))
        #expect(RenderError.openGLTooOld("3.1 Mesa").description.contains("3.1 Mesa"))
        #expect(RenderError.noDisplay("x").description == "no display: x — use `netzero run` for headless simulation")
    }

    @Test func cubeGeometry() {
        let cube = MeshData.cube()
        #expect(cube.vertices.count == 24 && cube.indices.count == 36)
        // Every triangle winds counter-clockwise seen from outside: (b-a)×(c-a) points along the normal.
        for t in stride(from: 0, to: 36, by: 3) {
            let a = cube.vertices[Int(cube.indices[t])], b = cube.vertices[Int(cube.indices[t + 1])]
            let c = cube.vertices[Int(cube.indices[t + 2])]
            #expect((b.position - a.position).cross(c.position - a.position).dot(a.normal) > 0)
        }
        let ys = cube.vertices.map(\.position.y)
        #expect(ys.min() == 0 && ys.max() == 1)
    }

    /// Every set of faces: the box drawn with shared corners has the same triangles' faces as
    /// `cube()` (each face covered once, counter-clockwise from outside) and each triangle's last
    /// vertex, which lights it (flat, OpenGL's provoking vertex), carries its face's normal.
    @Test func boxWithSharedCornersIsLitLikeTheCube() {
        let cube = MeshData.cube()
        var cubeFaces: [Vec3: Set<Vec3>] = [:]
        for v in cube.vertices { cubeFaces[v.normal, default: []].insert(v.position) }
        let order: [(MeshData.BoxFaces, Vec3)] = [(.plusX, Vec3(1, 0, 0)), (.minusX, Vec3(-1, 0, 0)), (.top, Vec3(0, 1, 0)),
                                                 (.bottom, Vec3(0, -1, 0)), (.plusZ, Vec3(0, 0, 1)), (.minusZ, Vec3(0, 0, -1))]
        for raw in 0..<64 {
            let faces = MeshData.BoxFaces(rawValue: raw)
            let box = MeshData.box(faces: faces)
            let drawn = order.filter { faces.contains($0.0) }
            #expect(box.vertices.count <= 8 && box.vertices.count <= 4 * drawn.count)
            #expect(box.indices.count == 6 * drawn.count)
            #expect(Set(box.vertices.map(\.position)).count == box.vertices.count, "one vertex a corner")
            var areaByNormal: [Vec3: Float] = [:]
            for t in stride(from: 0, to: box.indices.count, by: 3) {
                let a = box.vertices[Int(box.indices[t])], b = box.vertices[Int(box.indices[t + 1])]
                let c = box.vertices[Int(box.indices[t + 2])]
                let normal = c.normal  // the provoking vertex's
                let cross = (b.position - a.position).cross(c.position - a.position)
                #expect(cross.dot(normal) > 0, "faces \(raw): triangle \(t / 3) winds with its face's normal")
                #expect(cubeFaces[normal].map { face in [a, b, c].allSatisfy { face.contains($0.position) } } == true,
                        "faces \(raw): triangle \(t / 3) lies on the face its last vertex lights")
                areaByNormal[normal, default: 0] += cross.length / 2
            }
            #expect(Set(areaByNormal.keys) == Set(drawn.map(\.1)), "faces \(raw): the faces drawn are the faces asked")
            #expect(areaByNormal.values.allSatisfy { abs($0 - 1) < 1e-6 }, "faces \(raw): each face covered once")
        }
    }
}

@Suite("PNG encoder")
struct PNGTests {
    static func testImage(width: Int, height: Int) -> Image {
        var image = Image(width: width, height: height)
        var seed: UInt32 = 12345
        for y in 0..<height {
            for x in 0..<width {
                seed = seed &* 1_664_525 &+ 1_013_904_223
                let noise = UInt8(truncatingIfNeeded: seed >> 24)
                // Flat areas, gradients and noise, so every filter and match length gets used.
                image[x, y] = x < width / 3 ? RGBA8(30, 120, 200, 255)
                    : x < 2 * width / 3 ? RGBA8(UInt8(x * 255 / width), UInt8(y * 255 / max(1, height)), 90, 200)
                    : RGBA8(noise, noise &+ 7, UInt8(x & 0xFF), noise | 1)
            }
        }
        return image
    }

    @Test func checksums() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.checksum(Array("IEND".utf8)) == 0xAE42_6082)
        #expect(PNG.adler32(Array("Wikipedia".utf8)) == 0x11E6_0398)
        #expect(PNG.adler32([]) == 1)
        let big = [UInt8](repeating: 255, count: 100_000)
        #expect(CRC32.checksum(big) == referenceCRC32(big[...]))
    }

    @Test(arguments: [PNG.Compression.stored, .fast])
    func structureAndRoundTrip(compression: PNG.Compression) throws {
        for (w, h) in [(1, 1), (37, 23), (300, 200)] {
            let image = Self.testImage(width: w, height: h)
            let png = image.pngData(compression: compression)
            #expect(Array(png.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
            let chunks = readChunks(png)
            #expect(chunks.map(\.type) == ["IHDR", "IDAT", "IEND"])
            for chunk in chunks { #expect(chunk.storedCRC == chunk.computedCRC, "CRC of \(chunk.type)") }
            let ihdr = chunks[0].data
            #expect(bigEndian32(ihdr, 0) == UInt32(w) && bigEndian32(ihdr, 4) == UInt32(h))
            #expect(Array(ihdr.suffix(5)) == [8, 6, 0, 0, 0])
            if let decoded = try decodeWithPython(png) {
                #expect(decoded == image.pixels, "\(w)×\(h) \(compression)")
            } else {
                print("python3 not available: skipped the zlib round trip")
            }
        }
    }

    @Test func fastIsSmallerOnFlatImages() {
        let flat = Image(width: 256, height: 256, fill: RGBA8(10, 200, 30, 255))
        let stored = flat.pngData(compression: .stored).count
        let fast = flat.pngData(compression: .fast).count
        #expect(stored > 256 * 256 * 4)
        #expect(fast * 50 < stored, "fast \(fast) bytes vs stored \(stored)")
    }

    @Test func atomicWrite() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("png-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("shot.png").path
        let image = Self.testImage(width: 20, height: 10)
        try image.writePNG(to: path)
        try image.writePNG(to: path)   // replacing an existing file
        #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) == image.pngData())
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["shot.png"])
        #expect(throws: RasterError.self) { try image.writePNG(to: dir.path + "/missing/dir/shot.png") }
    }
}
