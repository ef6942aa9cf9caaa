// Small vector and matrix math for the renderer: Vec3, Vec4 (also used as RGBA colour) and Mat4.
// Mat4 is column-major, exactly as OpenGL expects it: element (row r, column c) is `m[c * 4 + r]`,
// so `withUnsafeFloats` can hand it straight to glUniformMatrix4fv with transpose = GL_FALSE.
// Angles are in radians; the coordinate system is right-handed with +Y up (the ground is y = 0).

import Foundation
import Raster

// MARK: - Vec3

public struct Vec3: Hashable, Sendable, CustomStringConvertible {
    public var x: Float
    public var y: Float
    public var z: Float

    @inlinable public init(_ x: Float, _ y: Float, _ z: Float) { self.x = x; self.y = y; self.z = z }
    @inlinable public init(x: Float, y: Float, z: Float) { self.x = x; self.y = y; self.z = z }

    public static let zero = Vec3(0, 0, 0)
    public static let one = Vec3(1, 1, 1)
    public static let up = Vec3(0, 1, 0)

    @inlinable public static func + (a: Vec3, b: Vec3) -> Vec3 { Vec3(a.x + b.x, a.y + b.y, a.z + b.z) }
    @inlinable public static func - (a: Vec3, b: Vec3) -> Vec3 { Vec3(a.x - b.x, a.y - b.y, a.z - b.z) }
    @inlinable public static prefix func - (a: Vec3) -> Vec3 { Vec3(-a.x, -a.y, -a.z) }
    @inlinable public static func * (a: Vec3, s: Float) -> Vec3 { Vec3(a.x * s, a.y * s, a.z * s) }
    @inlinable public static func * (s: Float, a: Vec3) -> Vec3 { Vec3(a.x * s, a.y * s, a.z * s) }
    @inlinable public static func / (a: Vec3, s: Float) -> Vec3 { Vec3(a.x / s, a.y / s, a.z / s) }
    @inlinable public static func += (a: inout Vec3, b: Vec3) { a = a + b }
    @inlinable public static func -= (a: inout Vec3, b: Vec3) { a = a - b }

    /// Component-wise product.
    @inlinable public func scaled(by s: Vec3) -> Vec3 { Vec3(x * s.x, y * s.y, z * s.z) }
    @inlinable public func dot(_ b: Vec3) -> Float { x * b.x + y * b.y + z * b.z }
    @inlinable public func cross(_ b: Vec3) -> Vec3 {
        Vec3(y * b.z - z * b.y, z * b.x - x * b.z, x * b.y - y * b.x)
    }
    @inlinable public var length: Float { dot(self).squareRoot() }
    /// The unit vector in the same direction; the zero vector stays zero.
    @inlinable public var normalized: Vec3 {
        let l = length
        return l > 0 ? self / l : self
    }
    @inlinable public static func lerp(_ a: Vec3, _ b: Vec3, _ t: Float) -> Vec3 { a + (b - a) * t }

    public var description: String { "(\(x), \(y), \(z))" }
}

// MARK: - Vec4 (and colours)

public struct Vec4: Hashable, Sendable, CustomStringConvertible {
    public var x: Float
    public var y: Float
    public var z: Float
    public var w: Float

    @inlinable public init(_ x: Float, _ y: Float, _ z: Float, _ w: Float) {
        self.x = x; self.y = y; self.z = z; self.w = w
    }
    @inlinable public init(_ v: Vec3, _ w: Float) { self.init(v.x, v.y, v.z, w) }

    /// A colour with components in 0...1.
    @inlinable public init(r: Float, g: Float, b: Float, a: Float = 1) { self.init(r, g, b, a) }
    /// A colour from 0xRRGGBB and an alpha in 0...1.
    public init(hex: UInt32, alpha: Float = 1) {
        self.init(Float((hex >> 16) & 0xFF) / 255, Float((hex >> 8) & 0xFF) / 255, Float(hex & 0xFF) / 255, alpha)
    }

    @inlinable public var r: Float { x }
    @inlinable public var g: Float { y }
    @inlinable public var b: Float { z }
    @inlinable public var a: Float { w }
    @inlinable public var xyz: Vec3 { Vec3(x, y, z) }

    /// The colour as 8-bit channels (clamped), packed 0xRRGGBBAA.
    public var rgba8: UInt32 {
        func c(_ v: Float) -> UInt32 { UInt32((min(max(v, 0), 1) * 255).rounded()) }
        return c(x) << 24 | c(y) << 16 | c(z) << 8 | c(w)
    }

    public static let white = Vec4(1, 1, 1, 1)
    public static let black = Vec4(0, 0, 0, 1)
    public static let clear = Vec4(0, 0, 0, 0)

    @inlinable public static func * (a: Vec4, s: Float) -> Vec4 { Vec4(a.x * s, a.y * s, a.z * s, a.w * s) }
    @inlinable public static func + (a: Vec4, b: Vec4) -> Vec4 { Vec4(a.x + b.x, a.y + b.y, a.z + b.z, a.w + b.w) }

    public var description: String { "(\(x), \(y), \(z), \(w))" }
}

// MARK: - Mat4

/// A 4×4 matrix stored column-major (OpenGL order).
public struct Mat4: Equatable, Sendable {
    /// Element (row r, column c) is `m[c * 4 + r]`.
    public var m: SIMD16<Float>

    @inlinable public init(_ m: SIMD16<Float>) { self.m = m }
    /// From 16 values in column-major order.
    public init(columnMajor v: [Float]) {
        precondition(v.count == 16, "Mat4 needs 16 values")
        var s = SIMD16<Float>()
        for i in 0..<16 { s[i] = v[i] }
        m = s
    }

    public static let identity = Mat4(SIMD16<Float>(1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1))

    @inlinable public subscript(row: Int, column: Int) -> Float {
        get { m[column * 4 + row] }
        set { m[column * 4 + row] = newValue }
    }

    public static func * (a: Mat4, b: Mat4) -> Mat4 {
        var r = SIMD16<Float>()
        for c in 0..<4 {
            for row in 0..<4 {
                var s: Float = 0
                for k in 0..<4 { s += a.m[k * 4 + row] * b.m[c * 4 + k] }
                r[c * 4 + row] = s
            }
        }
        return Mat4(r)
    }

    public static func * (a: Mat4, v: Vec4) -> Vec4 {
        let m = a.m
        return Vec4(m[0] * v.x + m[4] * v.y + m[8] * v.z + m[12] * v.w,
                    m[1] * v.x + m[5] * v.y + m[9] * v.z + m[13] * v.w,
                    m[2] * v.x + m[6] * v.y + m[10] * v.z + m[14] * v.w,
                    m[3] * v.x + m[7] * v.y + m[11] * v.z + m[15] * v.w)
    }

    /// Transforms a point (w = 1) and divides by w.
    public func transformPoint(_ p: Vec3) -> Vec3 {
        let v = self * Vec4(p, 1)
        return v.w != 0 ? Vec3(v.x / v.w, v.y / v.w, v.z / v.w) : v.xyz
    }

    public static func translation(_ t: Vec3) -> Mat4 {
        var r = Mat4.identity
        r.m[12] = t.x; r.m[13] = t.y; r.m[14] = t.z
        return r
    }

    public static func scale(_ s: Vec3) -> Mat4 {
        var r = Mat4.identity
        r.m[0] = s.x; r.m[5] = s.y; r.m[10] = s.z
        return r
    }

    /// Rotation about +Y (counter-clockwise seen from above).
    public static func rotationY(_ angle: Float) -> Mat4 {
        let c = cos(angle), s = sin(angle)
        var r = Mat4.identity
        r.m[0] = c; r.m[2] = -s; r.m[8] = s; r.m[10] = c
        return r
    }

    /// A right-handed view matrix looking from `eye` at `target`.
    public static func lookAt(eye: Vec3, target: Vec3, up: Vec3) -> Mat4 {
        let f = (target - eye).normalized
        let s = f.cross(up).normalized
        let u = s.cross(f)
        return Mat4(SIMD16<Float>(
            s.x, u.x, -f.x, 0,
            s.y, u.y, -f.y, 0,
            s.z, u.z, -f.z, 0,
            -s.dot(eye), -u.dot(eye), f.dot(eye), 1))
    }

    /// OpenGL perspective projection (clip z in -1...1).
    public static func perspective(fovY: Float, aspect: Float, near: Float, far: Float) -> Mat4 {
        let f = 1 / tan(fovY / 2)
        var r = SIMD16<Float>()
        r[0] = f / aspect
        r[5] = f
        r[10] = (far + near) / (near - far)
        r[11] = -1
        r[14] = 2 * far * near / (near - far)
        return Mat4(r)
    }

    /// OpenGL orthographic projection (clip z in -1...1).
    public static func orthographic(left: Float, right: Float, bottom: Float, top: Float,
                                    near: Float, far: Float) -> Mat4 {
        var r = Mat4.identity
        r.m[0] = 2 / (right - left)
        r.m[5] = 2 / (top - bottom)
        r.m[10] = -2 / (far - near)
        r.m[12] = -(right + left) / (right - left)
        r.m[13] = -(top + bottom) / (top - bottom)
        r.m[14] = -(far + near) / (far - near)
        return r
    }

    /// The inverse (cofactor expansion); nil when the matrix is singular.
    public var inverse: Mat4? {
        let a = m
        var inv = SIMD16<Float>()
        inv[0] = a[5] * a[10] * a[15] - a[5] * a[11] * a[14] - a[9] * a[6] * a[15] + a[9] * a[7] * a[14] + a[13] * a[6] * a[11] - a[13] * a[7] * a[10]
        inv[4] = -a[4] * a[10] * a[15] + a[4] * a[11] * a[14] + a[8] * a[6] * a[15] - a[8] * a[7] * a[14] - a[12] * a[6] * a[11] + a[12] * a[7] * a[10]
        inv[8] = a[4] * a[9] * a[15] - a[4] * a[11] * a[13] - a[8] * a[5] * a[15] + a[8] * a[7] * a[13] + a[12] * a[5] * a[11] - a[12] * a[7] * a[9]
        inv[12] = -a[4] * a[9] * a[14] + a[4] * a[10] * a[13] + a[8] * a[5] * a[14] - a[8] * a[6] * a[13] - a[12] * a[5] * a[10] + a[12] * a[6] * a[9]
        inv[1] = -a[1] * a[10] * a[15] + a[1] * a[11] * a[14] + a[9] * a[2] * a[15] - a[9] * a[3] * a[14] - a[13] * a[2] * a[11] + a[13] * a[3] * a[10]
        inv[5] = a[0] * a[10] * a[15] - a[0] * a[11] * a[14] - a[8] * a[2] * a[15] + a[8] * a[3] * a[14] + a[12] * a[2] * a[11] - a[12] * a[3] * a[10]
        inv[9] = -a[0] * a[9] * a[15] + a[0] * a[11] * a[13] + a[8] * a[1] * a[15] - a[8] * a[3] * a[13] - a[12] * a[1] * a[11] + a[12] * a[3] * a[9]
        inv[13] = a[0] * a[9] * a[14] - a[0] * a[10] * a[13] - a[8] * a[1] * a[14] + a[8] * a[2] * a[13] + a[12] * a[1] * a[10] - a[12] * a[2] * a[9]
        inv[2] = a[1] * a[6] * a[15] - a[1] * a[7] * a[14] - a[5] * a[2] * a[15] + a[5] * a[3] * a[14] + a[13] * a[2] * a[7] - a[13] * a[3] * a[6]
        inv[6] = -a[0] * a[6] * a[15] + a[0] * a[7] * a[14] + a[4] * a[2] * a[15] - a[4] * a[3] * a[14] - a[12] * a[2] * a[7] + a[12] * a[3] * a[6]
        inv[10] = a[0] * a[5] * a[15] - a[0] * a[7] * a[13] - a[4] * a[1] * a[15] + a[4] * a[3] * a[13] + a[12] * a[1] * a[7] - a[12] * a[3] * a[5]
        inv[14] = -a[0] * a[5] * a[14] + a[0] * a[6] * a[13] + a[4] * a[1] * a[14] - a[4] * a[2] * a[13] - a[12] * a[1] * a[6] + a[12] * a[2] * a[5]
        inv[3] = -a[1] * a[6] * a[11] + a[1] * a[7] * a[10] + a[5] * a[2] * a[11] - a[5] * a[3] * a[10] - a[9] * a[2] * a[7] + a[9] * a[3] * a[6]
        inv[7] = a[0] * a[6] * a[11] - a[0] * a[7] * a[10] - a[4] * a[2] * a[11] + a[4] * a[3] * a[10] + a[8] * a[2] * a[7] - a[8] * a[3] * a[6]
        inv[11] = -a[0] * a[5] * a[11] + a[0] * a[7] * a[9] + a[4] * a[1] * a[11] - a[4] * a[3] * a[9] - a[8] * a[1] * a[7] + a[8] * a[3] * a[5]
        inv[15] = a[0] * a[5] * a[10] - a[0] * a[6] * a[9] - a[4] * a[1] * a[10] + a[4] * a[2] * a[9] + a[8] * a[1] * a[6] - a[8] * a[2] * a[5]
        let det = a[0] * inv[0] + a[1] * inv[4] + a[2] * inv[8] + a[3] * inv[12]
        if det == 0 || !det.isFinite { return nil }
        let scaled: SIMD16<Float> = inv * SIMD16<Float>(repeating: 1 / det)
        return Mat4(scaled)
    }

    /// Calls `body` with a pointer to the 16 floats in column-major order (for glUniformMatrix4fv).
    public func withUnsafeFloats<R>(_ body: (UnsafePointer<Float>) throws -> R) rethrows -> R {
        var copy = m
        return try withUnsafeBytes(of: &copy) { raw in
            try body(raw.baseAddress!.assumingMemoryBound(to: Float.self))
        }
    }
}

// MARK: - Angles

@inlinable public func radians(_ degrees: Float) -> Float { degrees * .pi / 180 }
@inlinable public func degrees(_ radians: Float) -> Float { radians * 180 / .pi }

// MARK: - Raster's 8-bit colours

extension RGBA8 {
    /// From a 0...1 colour, rounded.
    public init(_ c: Vec4) { self.init(packed: c.rgba8) }

    /// From 0xRRGGBBAA (`Vec4.rgba8`).
    public init(packed: UInt32) {
        self.init(UInt8(packed >> 24), UInt8((packed >> 16) & 0xFF), UInt8((packed >> 8) & 0xFF), UInt8(packed & 0xFF))
    }
}
