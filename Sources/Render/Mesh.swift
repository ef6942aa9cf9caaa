// Mesh: indexed triangle geometry on the GPU (one VAO, a vertex VBO and an element EBO).
// MeshData builds the geometry on the CPU; `MeshData.cube()` is the unit box the city is made of
// (x and z in -0.5...0.5, y in 0...1, so an instance's position is the centre of its base and
// its scale.y is its height). Vertex layout: location 0 position, 1 normal, 2 uv; CCW front faces.

import CGL
import CSDL2
import Foundation

// MARK: - CPU geometry

public struct MeshVertex: Sendable, Equatable {
    public var position: Vec3
    public var normal: Vec3
    public var u: Float
    public var v: Float

    public init(position: Vec3, normal: Vec3, u: Float = 0, v: Float = 0) {
        self.position = position; self.normal = normal; self.u = u; self.v = v
    }
}

public struct MeshData: Sendable {
    public var vertices: [MeshVertex]
    public var indices: [UInt32]

    public init(vertices: [MeshVertex], indices: [UInt32]) {
        self.vertices = vertices; self.indices = indices
    }

    /// Appends one quad centred at `center`, spanned by `u` and `v` (full edge vectors),
    /// facing `u × v`.
    mutating func addQuad(center: Vec3, u: Vec3, v: Vec3) {
        let n = u.cross(v).normalized
        let base = UInt32(vertices.count)
        let corners: [(Float, Float)] = [(-0.5, -0.5), (0.5, -0.5), (0.5, 0.5), (-0.5, 0.5)]
        for (a, b) in corners {
            vertices.append(MeshVertex(position: center + u * a + v * b, normal: n, u: a + 0.5, v: 0.5 - b))
        }
        indices += [base, base + 1, base + 2, base, base + 2, base + 3]
    }

    /// The unit box: x, z in -0.5...0.5 and y in 0...1, 24 vertices with flat normals, 36 indices.
    public static func cube() -> MeshData {
        var d = MeshData(vertices: [], indices: [])
        let c = Vec3(0, 0.5, 0)
        d.addQuad(center: c + Vec3(0.5, 0, 0), u: Vec3(0, 0, -1), v: Vec3(0, 1, 0))   // +X
        d.addQuad(center: c + Vec3(-0.5, 0, 0), u: Vec3(0, 0, 1), v: Vec3(0, 1, 0))   // -X
        d.addQuad(center: c + Vec3(0, 0.5, 0), u: Vec3(1, 0, 0), v: Vec3(0, 0, -1))   // +Y
        d.addQuad(center: c + Vec3(0, -0.5, 0), u: Vec3(1, 0, 0), v: Vec3(0, 0, 1))   // -Y
        d.addQuad(center: c + Vec3(0, 0, 0.5), u: Vec3(1, 0, 0), v: Vec3(0, 1, 0))    // +Z
        d.addQuad(center: c + Vec3(0, 0, -0.5), u: Vec3(-1, 0, 0), v: Vec3(0, 1, 0))  // -Z
        return d
    }

    /// The unit box without its bottom face (8 vertices, 30 indices): what the city is drawn
    /// with, since the camera never looks from below the ground.
    public static func openBox() -> MeshData { box(faces: .open) }

    /// The faces of the unit box, for `box(faces:)`.
    public struct BoxFaces: OptionSet, Sendable, Hashable {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }
        public static let plusX = BoxFaces(rawValue: 1), minusX = BoxFaces(rawValue: 2), top = BoxFaces(rawValue: 4)
        public static let plusZ = BoxFaces(rawValue: 8), minusZ = BoxFaces(rawValue: 16), bottom = BoxFaces(rawValue: 32)
        /// Every face but the bottom.
        public static let open: BoxFaces = [.plusX, .minusX, .top, .plusZ, .minusZ]

        /// Corner `i` of the unit box: bit 0 x, bit 1 y, bit 2 z (0 the low side, 1 the high).
        static func corner(_ i: Int) -> Vec3 {
            Vec3(i & 1 == 0 ? -0.5 : 0.5, i & 2 == 0 ? 0 : 1, i & 4 == 0 ? -0.5 : 0.5)
        }

        /// Each face in the order +X, −X, +Y, −Y, +Z, −Z: its outward normal and its corners
        /// counter-clockwise seen from outside.
        static let sides: [(face: BoxFaces, normal: Vec3, corners: [Int])] = [
            (.plusX, Vec3(1, 0, 0), [5, 1, 3, 7]),
            (.minusX, Vec3(-1, 0, 0), [0, 4, 6, 2]),
            (.top, Vec3(0, 1, 0), [6, 7, 3, 2]),
            (.bottom, Vec3(0, -1, 0), [0, 1, 5, 4]),
            (.plusZ, Vec3(0, 0, 1), [4, 5, 7, 6]),
            (.minusZ, Vec3(0, 0, -1), [1, 0, 2, 3]),
        ]
    }

    /// The unit box with only `faces` (6 indices each), its faces sharing their corners: at most
    /// 8 vertices, so that each corner is shaded once (software GL shades each distinct index of a
    /// draw once). Faces are lit flat from the last vertex of each triangle (OpenGL's provoking
    /// vertex), so each face owns one corner that carries its normal and both its triangles end
    /// on it (`cornerOwners`). A box seen from one side of both its x and z extents shows the top
    /// and two sides: drawn with those three alone, 7 vertices are shaded (12 with a vertex per
    /// face corner, 20 for the open box), and no
    /// back face is set up only to be culled. Positions and the light of every face are those of
    /// `cube()`'s; uv is 0.
    public static func box(faces: BoxFaces) -> MeshData {
        let sides = BoxFaces.sides.filter { faces.contains($0.face) }
        let owners = cornerOwners(sides.map(\.corners))
        var d = MeshData(vertices: [], indices: [])
        var vertexOfCorner = [Int](repeating: -1, count: 8)
        for (index, side) in sides.enumerated() {
            for corner in side.corners where vertexOfCorner[corner] < 0 {
                vertexOfCorner[corner] = d.vertices.count
                let owner = owners.firstIndex(of: corner).map { sides[$0].normal } ?? side.normal
                d.vertices.append(MeshVertex(position: BoxFaces.corner(corner), normal: owner))
            }
            // The face's corners counter-clockwise seen from outside, turned so the owned one is last.
            let ring = side.corners, last = ring.firstIndex(of: owners[index])!
            let (a, b, c, o) = (ring[(last + 1) % 4], ring[(last + 2) % 4], ring[(last + 3) % 4], ring[last])
            d.indices += [a, b, o, b, c, o].map { UInt32(vertexOfCorner[$0]) }
        }
        return d
    }

    /// For faces given by their corners, a distinct corner for each (a matching: each corner is
    /// on three faces and each face has four corners, so one exists for any set of faces).
    static func cornerOwners(_ faces: [[Int]]) -> [Int] {
        var owners = [Int](repeating: -1, count: faces.count)
        func assign(_ face: Int) -> Bool {
            guard face < faces.count else { return true }
            for corner in faces[face] where !owners[..<face].contains(corner) {
                owners[face] = corner
                if assign(face + 1) { return true }
            }
            return false
        }
        _ = assign(0)
        return owners
    }

    /// A unit square on y = 0 (x, z in -0.5...0.5), facing up.
    public static func plane() -> MeshData {
        var d = MeshData(vertices: [], indices: [])
        d.addQuad(center: .zero, u: Vec3(1, 0, 0), v: Vec3(0, 0, -1))
        return d
    }
}

// MARK: - GPU mesh

public final class Mesh {
    public let vao: GLuint
    public let vertexBuffer: GLuint
    public let indexBuffer: GLuint
    public let indexCount: Int
    public let vertexCount: Int
    private let window: Window

    static let stride = MemoryLayout<MeshVertex>.stride

    public init(renderer: Renderer, data: MeshData) {
        window = renderer.window
        indexCount = data.indices.count
        vertexCount = data.vertices.count
        var ids: [GLuint] = [0, 0]
        var vao: GLuint = 0
        glGenVertexArrays(1, &vao)
        glGenBuffers(2, &ids)
        self.vao = vao
        vertexBuffer = ids[0]
        indexBuffer = ids[1]

        glBindVertexArray(vao)
        glBindBuffer(E(GL_ARRAY_BUFFER), vertexBuffer)
        data.vertices.withUnsafeBytes {
            glBufferData(E(GL_ARRAY_BUFFER), $0.count, $0.baseAddress, E(GL_STATIC_DRAW))
        }
        glBindBuffer(E(GL_ELEMENT_ARRAY_BUFFER), indexBuffer)
        data.indices.withUnsafeBytes {
            glBufferData(E(GL_ELEMENT_ARRAY_BUFFER), $0.count, $0.baseAddress, E(GL_STATIC_DRAW))
        }
        bindVertexLayout()
        glBindVertexArray(0)
    }

    /// Convenience for the unit box (see `MeshData.cube()`).
    public static func cube(renderer: Renderer) -> Mesh { Mesh(renderer: renderer, data: .cube()) }
    /// Convenience for the box without a bottom (see `MeshData.openBox()`).
    public static func openBox(renderer: Renderer) -> Mesh { Mesh(renderer: renderer, data: .openBox()) }
    /// Convenience for the unit ground square (see `MeshData.plane()`).
    public static func plane(renderer: Renderer) -> Mesh { Mesh(renderer: renderer, data: .plane()) }

    deinit {
        var ids = [vertexBuffer, indexBuffer]
        glDeleteBuffers(2, &ids)
        var v = vao
        glDeleteVertexArrays(1, &v)
    }

    /// Binds this mesh's VBO and EBO into the currently bound VAO and describes locations 0–2.
    func bindVertexLayout() {
        glBindBuffer(E(GL_ARRAY_BUFFER), vertexBuffer)
        glBindBuffer(E(GL_ELEMENT_ARRAY_BUFFER), indexBuffer)
        let stride = GLsizei(Mesh.stride)
        let normalOffset = MemoryLayout<MeshVertex>.offset(of: \.normal)!
        let uvOffset = MemoryLayout<MeshVertex>.offset(of: \.u)!
        glEnableVertexAttribArray(0)
        glVertexAttribPointer(0, 3, E(GL_FLOAT), GLboolean(GL_FALSE), stride, nil)
        glEnableVertexAttribArray(1)
        glVertexAttribPointer(1, 3, E(GL_FLOAT), GLboolean(GL_FALSE), stride, UnsafeRawPointer(bitPattern: normalOffset))
        glEnableVertexAttribArray(2)
        glVertexAttribPointer(2, 2, E(GL_FLOAT), GLboolean(GL_FALSE), stride, UnsafeRawPointer(bitPattern: uvOffset))
    }
}
