// InstancedBatch: one Mesh drawn N times in ONE glDrawElementsInstanced call, with per-instance
// position (vec3, location 3), scale (vec3, location 4) and colour (vec4, location 5) in a
// dynamic VBO (attribute divisor 1). Edit `instances`, then `renderer.draw(batch)`; the buffer is
// re-uploaded only when the array changed. `groundGrid` makes grid lines as thin box instances.

import CGL
import CSDL2
import Foundation

// MARK: - Instance

/// One copy of the mesh: world position of the base centre, per-axis scale, RGBA colour.
/// Laid out as 10 tightly packed floats (40 bytes), uploaded as is.
public struct Instance: Sendable, Equatable {
    public var position: Vec3
    public var scale: Vec3
    public var color: Vec4

    public init(position: Vec3, scale: Vec3 = .one, color: Vec4 = .white) {
        self.position = position; self.scale = scale; self.color = color
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

    let vao: GLuint
    let instanceBuffer: GLuint
    private var capacity = 0
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

        glBindVertexArray(vao)
        mesh.bindVertexLayout()
        glBindBuffer(E(GL_ARRAY_BUFFER), instanceBuffer)
        let stride = GLsizei(MemoryLayout<Instance>.stride)
        let attributes: [(GLuint, GLint, Int)] = [
            (3, 3, MemoryLayout<Instance>.offset(of: \.position)!),
            (4, 3, MemoryLayout<Instance>.offset(of: \.scale)!),
            (5, 4, MemoryLayout<Instance>.offset(of: \.color)!),
        ]
        for (location, count, offset) in attributes {
            glEnableVertexAttribArray(location)
            glVertexAttribPointer(location, count, E(GL_FLOAT), GLboolean(GL_FALSE), stride,
                                  UnsafeRawPointer(bitPattern: offset))
            glVertexAttribDivisor(location, 1)
        }
        glBindVertexArray(0)
    }

    deinit {
        var b = instanceBuffer
        glDeleteBuffers(1, &b)
        var v = vao
        glDeleteVertexArrays(1, &v)
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
