// Canvas2D: the 2D overlay (HUD) in framebuffer pixels, origin top-left. Rectangles and text are
// queued in painter's order and drawn by `flush()` as instanced quads in ONE draw call: text lives
// in a texture atlas (cache keyed by string + size + colour, LRU-bounded by `textCacheLimit` and
// by atlas area), rectangles sample the atlas's white texel. Call `flush()` after the 3D pass.
// `drawImage` queues a `Texture` (a picture made on the CPU) in the same order; each image adds
// one draw call, so a frame without images is still one.

import CGL
import CSDL2
import Foundation
import Raster

public final class Canvas2D {
    // MARK: - State

    public let renderer: Renderer
    public let font: Font
    /// Most cached strings kept; the least recently used is dropped beyond it.
    public var textCacheLimit = 1024
    /// The last text that could not be drawn and why (too large for the atlas, SDL_ttf failure).
    public private(set) var lastTextError: String?
    /// How often the atlas was full and was rebuilt with the most recently used strings.
    public private(set) var atlasRebuilds = 0
    /// Side of the square text atlas in pixels.
    public let atlasSize: Int

    struct TextKey: Hashable {
        let text: String
        let size: Int
        let color: UInt32
    }

    struct TextEntry {
        var x: Int, y: Int, width: Int, height: Int
        var lastUse: UInt64
    }

    /// One quad: pixel rectangle (x, y, w, h), atlas uv rectangle (u0, v0, u1, v1), RGBA tint.
    struct Quad {
        var rect: SIMD4<Float>
        var uv: SIMD4<Float>
        var color: SIMD4<Float>
    }

    private var quads: [Quad] = []
    /// Where the queue switches texture: from quad `start` on, draw with `texture` (nil = the atlas).
    private var runs: [(start: Int, texture: Texture?)] = []
    private var entries: [TextKey: TextEntry] = [:]
    private var useCounter: UInt64 = 0
    private var packer: ShelfPacker
    private var whiteUV = SIMD4<Float>(0, 0, 0, 0)
    private let program: ShaderProgram
    private let vao: GLuint
    private let cornerBuffer: GLuint
    private let instanceBuffer: GLuint
    private let atlas: GLuint
    private var instanceCapacity = 0

    // MARK: - Setup

    /// A canvas drawing into `renderer`'s frame; `font` defaults to the located CJK font.
    public init(renderer: Renderer, font: Font? = nil, atlasSize: Int = 2048) throws {
        self.renderer = renderer
        self.font = try font ?? Font()
        self.atlasSize = atlasSize
        packer = ShelfPacker(size: atlasSize)
        program = try ShaderProgram(window: renderer.window, vertex: Canvas2D.vertexSource,
                                    fragment: Canvas2D.fragmentSource, label: "canvas2d")

        var tex: GLuint = 0
        glGenTextures(1, &tex)
        atlas = tex
        glBindTexture(E(GL_TEXTURE_2D), atlas)
        glTexImage2D(E(GL_TEXTURE_2D), 0, GL_RGBA8, GLsizei(atlasSize), GLsizei(atlasSize), 0,
                     E(GL_RGBA), E(GL_UNSIGNED_BYTE), nil)
        glTexParameteri(E(GL_TEXTURE_2D), E(GL_TEXTURE_MIN_FILTER), GL_NEAREST)
        glTexParameteri(E(GL_TEXTURE_2D), E(GL_TEXTURE_MAG_FILTER), GL_NEAREST)
        glTexParameteri(E(GL_TEXTURE_2D), E(GL_TEXTURE_WRAP_S), GL_CLAMP_TO_EDGE)
        glTexParameteri(E(GL_TEXTURE_2D), E(GL_TEXTURE_WRAP_T), GL_CLAMP_TO_EDGE)

        var v: GLuint = 0
        glGenVertexArrays(1, &v)
        vao = v
        var buffers: [GLuint] = [0, 0]
        glGenBuffers(2, &buffers)
        cornerBuffer = buffers[0]
        instanceBuffer = buffers[1]

        glBindVertexArray(vao)
        let corners: [Float] = [0, 0, 1, 0, 0, 1, 1, 1]   // triangle strip
        glBindBuffer(E(GL_ARRAY_BUFFER), cornerBuffer)
        corners.withUnsafeBytes { glBufferData(E(GL_ARRAY_BUFFER), $0.count, $0.baseAddress, E(GL_STATIC_DRAW)) }
        glEnableVertexAttribArray(0)
        glVertexAttribPointer(0, 2, E(GL_FLOAT), GLboolean(GL_FALSE), 8, nil)
        glBindBuffer(E(GL_ARRAY_BUFFER), instanceBuffer)
        let stride = GLsizei(MemoryLayout<Quad>.stride)
        let fields = [MemoryLayout<Quad>.offset(of: \.rect)!, MemoryLayout<Quad>.offset(of: \.uv)!,
                      MemoryLayout<Quad>.offset(of: \.color)!]
        for (i, offset) in fields.enumerated() {
            let location = GLuint(1 + i)
            glEnableVertexAttribArray(location)
            glVertexAttribPointer(location, 4, E(GL_FLOAT), GLboolean(GL_FALSE), stride,
                                  UnsafeRawPointer(bitPattern: offset))
            glVertexAttribDivisor(location, 1)
        }
        glBindVertexArray(0)
        resetAtlas()
    }

    deinit {
        var t = atlas
        glDeleteTextures(1, &t)
        var b = [cornerBuffer, instanceBuffer]
        glDeleteBuffers(2, &b)
        var v = vao
        glDeleteVertexArrays(1, &v)
    }

    /// The interface scale (1 … 2): coordinates and text sizes given to the canvas are multiplied
    /// by it, so a layout made for 1× fills the frame as if it were `1 / scale` as large. Text is
    /// rasterised at the scaled size, so it stays sharp.
    public var scale: Float = 1

    /// Text drawn outside its box (`pushTextBox`, else the canvas), as "text (where)", since the
    /// last `takeOverflows()`: the tests require none, in both languages and at every UI scale.
    public private(set) var overflows: [String] = []
    private var textBoxes: [SIMD4<Float>] = []

    /// Text drawn from now on, until `popTextBox()`, must fit in this rectangle (canvas units).
    public func pushTextBox(x: Float, y: Float, width: Float, height: Float) { textBoxes.append(SIMD4(x, y, width, height)) }
    public func popTextBox() { _ = textBoxes.popLast() }

    /// The overflows recorded since the last call; starts afresh.
    public func takeOverflows() -> [String] {
        defer { overflows = [] }
        return overflows
    }

    /// Records `text` drawn at (x, y) with `drawn` size when it leaves its box (half a pixel of slack).
    private func checkBox(_ text: String, x: Float, y: Float, drawn: (width: Int, height: Int)) {
        let frame = size
        let box = textBoxes.last ?? SIMD4(0, 0, Float(frame.width), Float(frame.height))
        let right = x + Float(drawn.width), bottom = y + Float(drawn.height)
        if x < box.x - 0.5 || y < box.y - 0.5 || right > box.x + box.z + 0.5 || bottom > box.y + box.w + 2 {
            overflows.append("\(text) (\(Int(x)),\(Int(y)) \(drawn.width)×\(drawn.height) outside \(Int(box.x)),\(Int(box.y)) \(Int(box.z))×\(Int(box.w)))")
        }
    }

    /// Canvas size in canvas units: the renderer's frame divided by `scale`.
    public var size: (width: Int, height: Int) {
        let frame = renderer.framebufferSize
        return (Int(Float(frame.width) / scale), Int(Float(frame.height) / scale))
    }
    /// Strings currently cached in the atlas.
    public var textCacheCount: Int { entries.count }
    /// Quads waiting for `flush()`.
    public var pendingQuads: Int { quads.count }

    // MARK: - Drawing

    /// Queues a filled rectangle (pixels, origin top-left).
    public func fillRect(x: Float, y: Float, width: Float, height: Float, color: Vec4) {
        guard width > 0, height > 0, color.w > 0 else { return }
        quads.append(Quad(rect: SIMD4(x, y, width, height) * scale, uv: whiteUV,
                          color: SIMD4(color.x, color.y, color.z, color.w)))
    }

    /// Queues a rectangle outline `thickness` pixels wide, inside the rectangle.
    public func strokeRect(x: Float, y: Float, width: Float, height: Float, thickness: Float = 1, color: Vec4) {
        let t = min(thickness, width / 2, height / 2)
        fillRect(x: x, y: y, width: width, height: t, color: color)
        fillRect(x: x, y: y + height - t, width: width, height: t, color: color)
        fillRect(x: x, y: y + t, width: t, height: height - 2 * t, color: color)
        fillRect(x: x + width - t, y: y + t, width: t, height: height - 2 * t, color: color)
    }

    /// Queues `text` (UTF-8, one line) with its top-left corner at (x, y), `size` pixels high,
    /// in `color`. Returns the drawn size in pixels; draws nothing for empty or unrenderable text.
    @discardableResult
    public func drawText(_ text: String, x: Float, y: Float, size: Int = 16, color: Vec4 = .white) -> (width: Int, height: Int) {
        var drawn = drawTextPixels(text, x: x * scale, y: y * scale, size: Int((Float(size) * scale).rounded()), color: color)
        if scale != 1 { drawn = (Int((Float(drawn.width) / scale).rounded()), Int((Float(drawn.height) / scale).rounded())) }
        if !text.isEmpty { checkBox(text, x: x, y: y, drawn: drawn) }
        return drawn
    }

    /// `drawText` in frame pixels.
    private func drawTextPixels(_ text: String, x: Float, y: Float, size: Int, color: Vec4) -> (width: Int, height: Int) {
        guard !text.isEmpty else { return (0, font.lineHeight(size: size)) }
        let key = TextKey(text: text, size: size, color: color.rgba8)
        useCounter += 1
        let entry: TextEntry
        if var cached = entries[key] {
            cached.lastUse = useCounter
            entries[key] = cached
            entry = cached
        } else {
            guard let added = addText(key) else { return font.measure(text, size: size) }
            entry = added
        }
        let s = Float(atlasSize)
        let u0 = Float(entry.x) / s, v0 = Float(entry.y) / s
        let u1 = Float(entry.x + entry.width) / s, v1 = Float(entry.y + entry.height) / s
        quads.append(Quad(rect: SIMD4(x.rounded(), y.rounded(), Float(entry.width), Float(entry.height)),
                          uv: SIMD4(u0, v0, u1, v1), color: SIMD4(1, 1, 1, 1)))
        return (entry.width, entry.height)
    }

    /// Queues `texture` stretched over the rectangle (pixels, origin top-left), times `tint`.
    public func drawImage(_ texture: Texture, x: Float, y: Float, width: Float, height: Float, tint: Vec4 = .white) {
        guard width > 0, height > 0 else { return }
        runs.append((quads.count, texture))
        quads.append(Quad(rect: SIMD4((x * scale).rounded(), (y * scale).rounded(), (width * scale).rounded(), (height * scale).rounded()), uv: SIMD4(0, 0, 1, 1),
                          color: SIMD4(tint.x, tint.y, tint.z, tint.w)))
        runs.append((quads.count, nil))
    }

    /// Size of `text` at `size` pixels, without drawing.
    public func measureText(_ text: String, size: Int = 16) -> (width: Int, height: Int) {
        guard scale != 1 else { return font.measure(text, size: size) }
        let measured = font.measure(text, size: Int((Float(size) * scale).rounded()))
        return (Int((Float(measured.width) / scale).rounded()), Int((Float(measured.height) / scale).rounded()))
    }

    /// Draws every queued quad in one instanced draw call (alpha blended, no depth test),
    /// then empties the queue. Does nothing when the queue is empty.
    public func flush() {
        guard !quads.isEmpty else { return }
        renderer.finishScene()
        let frame = renderer.framebufferSize
        glDisable(E(GL_DEPTH_TEST))
        glDisable(E(GL_CULL_FACE))
        glEnable(E(GL_BLEND))
        glBlendFuncSeparate(E(GL_SRC_ALPHA), E(GL_ONE_MINUS_SRC_ALPHA), E(GL_ONE), E(GL_ONE_MINUS_SRC_ALPHA))
        program.use()
        program.set("uViewport", Vec3(Float(frame.width), Float(frame.height), 0))
        program.set("uAtlas", Int32(0))
        glActiveTexture(E(GL_TEXTURE0))
        glBindTexture(E(GL_TEXTURE_2D), atlas)
        glBindVertexArray(vao)
        glBindBuffer(E(GL_ARRAY_BUFFER), instanceBuffer)
        let bytes = quads.count * MemoryLayout<Quad>.stride
        if bytes > instanceCapacity {
            instanceCapacity = max(bytes, instanceCapacity * 2)
        }
        glBufferData(E(GL_ARRAY_BUFFER), instanceCapacity, nil, E(GL_STREAM_DRAW))   // orphan
        quads.withUnsafeBytes { glBufferSubData(E(GL_ARRAY_BUFFER), 0, $0.count, $0.baseAddress) }
        if runs.isEmpty {
            glDrawArraysInstanced(E(GL_TRIANGLE_STRIP), 0, 4, GLsizei(quads.count))
            renderer.countDrawCall()
        } else {
            // Images between the atlas's quads: one draw per run, the instance attributes pointed at its first quad.
            let stride = GLsizei(MemoryLayout<Quad>.stride)
            let fields = [MemoryLayout<Quad>.offset(of: \.rect)!, MemoryLayout<Quad>.offset(of: \.uv)!,
                          MemoryLayout<Quad>.offset(of: \.color)!]
            var bounds = runs
            if runs[0].start > 0 { bounds.insert((start: 0, texture: nil), at: 0) }
            for (i, run) in bounds.enumerated() {
                let end = i + 1 < bounds.count ? bounds[i + 1].start : quads.count
                guard end > run.start else { continue }
                glBindTexture(E(GL_TEXTURE_2D), run.texture?.id ?? atlas)
                for (k, offset) in fields.enumerated() {
                    glVertexAttribPointer(GLuint(1 + k), 4, E(GL_FLOAT), GLboolean(GL_FALSE), stride,
                                          UnsafeRawPointer(bitPattern: offset + run.start * Int(stride)))
                }
                glDrawArraysInstanced(E(GL_TRIANGLE_STRIP), 0, 4, GLsizei(end - run.start))
                renderer.countDrawCall()
            }
            for (k, offset) in fields.enumerated() {
                glVertexAttribPointer(GLuint(1 + k), 4, E(GL_FLOAT), GLboolean(GL_FALSE), stride, UnsafeRawPointer(bitPattern: offset))
            }
            runs.removeAll(keepingCapacity: true)
        }
        glBindVertexArray(0)
        glDisable(E(GL_BLEND))
        quads.removeAll(keepingCapacity: true)
    }

    // MARK: - Text atlas

    /// Rasterises `key`, places it in the atlas (rebuilding the atlas if full) and caches it.
    private func addText(_ key: TextKey) -> TextEntry? {
        guard let image = font.rasterize(key.text, size: key.size, color: RGBA8(packed: key.color)) else {
            lastTextError = "SDL_ttf could not render \"\(key.text)\": \(String(cString: SDL_GetError()))"
            return nil
        }
        guard image.width + 2 <= atlasSize, image.height + 2 <= atlasSize else {
            lastTextError = "text \"\(key.text.prefix(40))\" (\(image.width)×\(image.height) px) exceeds the atlas"
            return nil
        }
        var slot = packer.allocate(width: image.width, height: image.height)
        if slot == nil {
            rebuildAtlas()
            slot = packer.allocate(width: image.width, height: image.height)
        }
        guard let (x, y) = slot else {
            lastTextError = "no atlas space for \"\(key.text.prefix(40))\""
            return nil
        }
        upload(image, x: x, y: y)
        let entry = TextEntry(x: x, y: y, width: image.width, height: image.height, lastUse: useCounter)
        entries[key] = entry
        if entries.count > textCacheLimit { evictLeastRecentlyUsed(count: entries.count - textCacheLimit) }
        return entry
    }

    private func upload(_ image: Image, x: Int, y: Int) {
        glBindTexture(E(GL_TEXTURE_2D), atlas)
        glPixelStorei(E(GL_UNPACK_ALIGNMENT), 1)
        glPixelStorei(E(GL_UNPACK_ROW_LENGTH), 0)
        image.pixels.withUnsafeBytes {
            glTexSubImage2D(E(GL_TEXTURE_2D), 0, GLint(x), GLint(y), GLsizei(image.width), GLsizei(image.height),
                            E(GL_RGBA), E(GL_UNSIGNED_BYTE), $0.baseAddress)
        }
    }

    private func evictLeastRecentlyUsed(count: Int) {
        // Their atlas space is reclaimed at the next rebuild.
        let victims = entries.sorted { $0.value.lastUse < $1.value.lastUse }.prefix(count)
        for (key, _) in victims { entries.removeValue(forKey: key) }
    }

    /// Empties the atlas (keeping the white texel for rectangles).
    private func resetAtlas() {
        packer.reset()
        entries.removeAll()
        let white = Image(width: 4, height: 4, fill: RGBA8(255, 255, 255, 255))
        let (x, y) = packer.allocate(width: 4, height: 4)!
        upload(white, x: x, y: y)
        let s = Float(atlasSize)
        let cu = (Float(x) + 2) / s, cv = (Float(y) + 2) / s
        whiteUV = SIMD4(cu, cv, cu, cv)
    }

    /// The atlas is full: draw what is queued (it uses the current atlas), then start a fresh
    /// atlas holding the most recently used strings, up to half its area.
    private func rebuildAtlas() {
        flush()
        atlasRebuilds += 1
        let keep = entries.sorted { $0.value.lastUse > $1.value.lastUse }
        resetAtlas()
        let budget = atlasSize * atlasSize / 2
        var used = 0
        for (key, old) in keep {
            used += (old.width + 2) * (old.height + 2)
            if used > budget { break }
            guard let image = font.rasterize(key.text, size: key.size, color: RGBA8(packed: key.color)),
                  let (x, y) = packer.allocate(width: image.width, height: image.height) else { continue }
            upload(image, x: x, y: y)
            entries[key] = TextEntry(x: x, y: y, width: image.width, height: image.height, lastUse: old.lastUse)
        }
    }

    // MARK: - Shaders

    static let vertexSource = """
        #version 330 core
        layout(location = 0) in vec2 aCorner;
        layout(location = 1) in vec4 iRect;
        layout(location = 2) in vec4 iUV;
        layout(location = 3) in vec4 iColor;
        uniform vec3 uViewport;
        out vec2 vUV;
        out vec4 vColor;
        void main() {
            vec2 p = iRect.xy + aCorner * iRect.zw;
            gl_Position = vec4(p.x / uViewport.x * 2.0 - 1.0, 1.0 - p.y / uViewport.y * 2.0, 0.0, 1.0);
            vUV = mix(iUV.xy, iUV.zw, aCorner);
            vColor = iColor;
        }
        """

    static let fragmentSource = """
        #version 330 core
        in vec2 vUV;
        in vec4 vColor;
        uniform sampler2D uAtlas;
        out vec4 fragColor;
        void main() {
            fragColor = texture(uAtlas, vUV) * vColor;
        }
        """
}

// MARK: - Shelf packing

/// Packs rectangles into rows ("shelves") of a square; 1 pixel of padding around each.
struct ShelfPacker {
    let size: Int
    private var shelves: [(y: Int, height: Int, x: Int)] = []
    private var nextY = 0

    init(size: Int) { self.size = size }

    mutating func reset() { shelves.removeAll(); nextY = 0 }

    /// Top-left of a free `width`×`height` area, or nil when the atlas is full.
    mutating func allocate(width: Int, height: Int) -> (Int, Int)? {
        let w = width + 1, h = height + 1
        guard w <= size, h <= size else { return nil }
        var best = -1
        for (i, shelf) in shelves.enumerated()
        where shelf.height >= h && shelf.height <= h + h / 2 + 2 && shelf.x + w <= size {
            if best < 0 || shelf.height < shelves[best].height { best = i }
        }
        if best >= 0 {
            let x = shelves[best].x
            shelves[best].x += w
            return (x, shelves[best].y)
        }
        guard nextY + h <= size else { return nil }
        shelves.append((y: nextY, height: h, x: w))
        nextY += h
        return (0, nextY - h)
    }
}
