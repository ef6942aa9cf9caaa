// InstancedBatch: one Mesh drawn N times in ONE glDrawElementsInstanced call, with per-instance
// position (vec3, location 3), scale (vec3, location 4) and colour (4 normalised bytes, location
// 5) in a dynamic VBO (attribute divisor 1). Edit `instances`, then `renderer.draw(batch)`; the
// buffer is re-uploaded only when the array changed. `ranges` draws parts of the array (one call
// per range) without uploading anything: a culled view of geometry kept on the GPU; with
// `addMesh` and `rangeMeshes`, each range can be drawn with another mesh from the same instances.
// `groundGrid` makes grid lines as thin box instances.

import CGL
import CSDL2
import Foundation

// MARK: - Instance

/// One copy of the mesh: world position of the base centre, per-axis scale, RGBA colour.
/// Laid out as 6 floats and 4 colour bytes (28 bytes, was 40 with a float colour), uploaded as
/// is: the vertex stage reads it once per vertex, so smaller is faster in software GL.
public struct Instance: Sendable, Equatable {
    public var position: Vec3
    public var scale: Vec3
    /// The colour as bytes R, G, B, A in memory order (little-endian: R in the low byte).
    public var packedColor: UInt32

    public init(position: Vec3, scale: Vec3 = .one, color: Vec4 = .white) {
        self.position = position; self.scale = scale; self.packedColor = Instance.pack(color)
    }

    /// The colour, rounded to 8 bits a channel.
    public var color: Vec4 {
        get {
            func c(_ shift: UInt32) -> Float { Float((packedColor >> shift) & 0xFF) / 255 }
            return Vec4(c(0), c(8), c(16), c(24))
        }
        set { packedColor = Instance.pack(newValue) }
    }

    static func pack(_ color: Vec4) -> UInt32 {
        let rgba = color.rgba8  // 0xRRGGBBAA
        return (rgba >> 24) | ((rgba >> 8) & 0xFF00) | ((rgba << 8) & 0xFF_0000) | (rgba << 24)
    }
}

// MARK: - Batch

public final class InstancedBatch {
    public let mesh: Mesh
    /// The instances to draw; changing the array marks the GPU copy stale.
    public var instances: [Instance] = [] { didSet { dirty = true } }
    /// Applied to every instance after its own position/scale (e.g. to move a whole layer).
    public var transform: Mat4 = .identity
    /// Skipped by `Renderer.draw` when false.
    public var isVisible = true
    /// When set, only these ranges of `instances` are drawn (changing it uploads nothing).
    public var ranges: [Range<Int>]?
    /// With `ranges`: the mesh each range is drawn with, an index into `meshes` (0, the batch's
    /// own mesh, when nil or missing).
    public var rangeMeshes: [Int]?
    /// The batch's mesh, then the variants added with `addMesh` (drawn from the same instances).
    public private(set) var meshes: [Mesh] = []
    /// One vertex array per mesh, each reading the one instance buffer.
    private(set) var vaos: [GLuint] = []

    let vao: GLuint
    let instanceBuffer: GLuint
    private var capacity = 0
    /// The instance each vertex array's attribute pointers start at (moved for each of `ranges`).
    private var pointedAt: [Int] = []
    private var dirty = true
    private let window: Window

    public init(renderer: Renderer, mesh: Mesh, instances: [Instance] = []) {
        self.mesh = mesh
        self.window = renderer.window
        self.instances = instances
        var vao: GLuint = 0, vbo: GLuint = 0
        glGenVertexArrays(1, &vao)
        glGenBuffers(1, &vbo)
        self.vao = vao
        instanceBuffer = vbo
        InstancedBatch.describe(vao: vao, mesh: mesh, instanceBuffer: vbo)
        meshes = [mesh]
        vaos = [vao]
        pointedAt = [0]
    }

    /// Adds `mesh` as a variant drawn from the same instances; returns its index in `meshes`.
    public func addMesh(_ mesh: Mesh) -> Int {
        var vao: GLuint = 0
        glGenVertexArrays(1, &vao)
        InstancedBatch.describe(vao: vao, mesh: mesh, instanceBuffer: instanceBuffer)
        meshes.append(mesh)
        vaos.append(vao)
        pointedAt.append(0)
        return meshes.count - 1
    }

    private static func describe(vao: GLuint, mesh: Mesh, instanceBuffer: GLuint) {
        glBindVertexArray(vao)
        mesh.bindVertexLayout()
        glBindBuffer(E(GL_ARRAY_BUFFER), instanceBuffer)
        for location: GLuint in 3...5 {
            glEnableVertexAttribArray(location)
            glVertexAttribDivisor(location, 1)
        }
        InstancedBatch.pointAttributes(at: 0)
        glBindVertexArray(0)
    }

    /// Points locations 3–5 at instance `first` of the bound instance buffer (GL 3.3 has no base
    /// instance for instanced draws, so a range is drawn by moving the pointers).
    static func pointAttributes(at first: Int) {
        let stride = MemoryLayout<Instance>.stride, base = first * stride
        let attributes: [(GLuint, GLint, GLenum, Bool, Int)] = [
            (3, 3, E(GL_FLOAT), false, MemoryLayout<Instance>.offset(of: \.position)!),
            (4, 3, E(GL_FLOAT), false, MemoryLayout<Instance>.offset(of: \.scale)!),
            (5, 4, E(GL_UNSIGNED_BYTE), true, MemoryLayout<Instance>.offset(of: \.packedColor)!),
        ]
        for (location, count, type, normalized, offset) in attributes {
            glVertexAttribPointer(location, count, type, GLboolean(normalized ? GL_TRUE : GL_FALSE), GLsizei(stride),
                                  UnsafeRawPointer(bitPattern: base + offset))
        }
    }

    /// With the vertex array of mesh `variant` bound: moves its instance pointers to `first` if
    /// they are elsewhere.
    func point(_ variant: Int = 0, at first: Int) {
        guard first != pointedAt[variant] else { return }
        glBindBuffer(E(GL_ARRAY_BUFFER), instanceBuffer)
        InstancedBatch.pointAttributes(at: first)
        pointedAt[variant] = first
    }

    deinit {
        var b = instanceBuffer
        glDeleteBuffers(1, &b)
        var v = vaos
        glDeleteVertexArrays(GLsizei(v.count), &v)
    }

    /// Marks the instance data as changed (needed only after mutating through unsafe pointers).
    public func setNeedsUpload() { dirty = true }

    /// Uploads the instance array if it changed since the last upload (grows the buffer by doubling).
    func uploadIfNeeded() {
        guard dirty else { return }
        dirty = false
        glBindBuffer(E(GL_ARRAY_BUFFER), instanceBuffer)
        let bytes = instances.count * MemoryLayout<Instance>.stride
        if bytes > capacity {
            capacity = max(bytes, capacity * 2, 64 * MemoryLayout<Instance>.stride)
            glBufferData(E(GL_ARRAY_BUFFER), capacity, nil, E(GL_DYNAMIC_DRAW))
        }
        if bytes > 0 {
            instances.withUnsafeBytes { glBufferSubData(E(GL_ARRAY_BUFFER), 0, $0.count, $0.baseAddress) }
        }
    }

    // MARK: - Helpers

    /// Grid lines for a `columns` × `rows` tile map with tiles of `tileSize`, starting at `origin`
    /// (the corner of tile 0,0 on the ground), as thin boxes for a batch of `MeshData.cube()`.
    public static func groundGrid(columns: Int, rows: Int, tileSize: Float = 1, origin: Vec3 = .zero,
                                  lineWidth: Float = 0.04, height: Float = 0.01,
                                  color: Vec4 = Vec4(0, 0, 0, 1)) -> [Instance] {
        var result: [Instance] = []
        result.reserveCapacity(columns + rows + 2)
        let width = Float(columns) * tileSize, depth = Float(rows) * tileSize
        for c in 0...max(0, columns) {
            let x = origin.x + Float(c) * tileSize
            result.append(Instance(position: Vec3(x, origin.y, origin.z + depth / 2),
                                   scale: Vec3(lineWidth, height, depth), color: color))
        }
        for r in 0...max(0, rows) {
            let z = origin.z + Float(r) * tileSize
            result.append(Instance(position: Vec3(origin.x + width / 2, origin.y, z),
                                   scale: Vec3(width, height, lineWidth), color: color))
        }
        return result
    }
}
