// Camera: an orbit camera over the ground plane for an isometric-looking city view. It looks at
// `target` from `distance` away, turned `yaw` around +Y and raised `pitch` above the ground;
// pan/rotate/zoom keep target, pitch and distance inside `bounds`. Projection is perspective or
// orthographic (isometric); `project`, `ray` and `groundPoint` map between world and pixels.

import Foundation

public struct Camera: Sendable, Equatable {
    // MARK: - Configuration

    public enum Projection: Sendable, Equatable {
        /// Perspective with a vertical field of view (radians).
        case perspective(fovY: Float)
        /// Parallel projection; the visible height is `2 * distance * tan(fovY / 2)` so zooming
        /// behaves the same as in perspective.
        case orthographic(fovY: Float)
    }

    public struct Bounds: Sendable, Equatable {
        /// The target stays inside this ground rectangle (x and z).
        public var minTarget: Vec3
        public var maxTarget: Vec3
        public var minPitch: Float
        public var maxPitch: Float
        public var minDistance: Float
        public var maxDistance: Float

        public init(minTarget: Vec3 = Vec3(-1000, 0, -1000), maxTarget: Vec3 = Vec3(1000, 0, 1000),
                    minPitch: Float = radians(15), maxPitch: Float = radians(89),
                    minDistance: Float = 2, maxDistance: Float = 500) {
            self.minTarget = minTarget; self.maxTarget = maxTarget
            self.minPitch = minPitch; self.maxPitch = maxPitch
            self.minDistance = minDistance; self.maxDistance = maxDistance
        }
    }

    /// The isometric angle: the pitch at which a cube's three visible faces look equal.
    public static let isometricPitch: Float = atan(1 / Float(2).squareRoot())

    public var target: Vec3
    /// Rotation around +Y in radians; 0 puts the eye on the +Z side looking towards -Z.
    public var yaw: Float
    /// Elevation above the ground plane in radians.
    public var pitch: Float
    public var distance: Float
    public var projection: Projection
    public var bounds: Bounds
    public var near: Float
    public var far: Float

    public init(target: Vec3 = .zero, yaw: Float = radians(45), pitch: Float = Camera.isometricPitch,
                distance: Float = 30, projection: Projection = .perspective(fovY: radians(40)),
                bounds: Bounds = Bounds(), near: Float = 0.1, far: Float = 2000) {
        self.target = target; self.yaw = yaw; self.pitch = pitch; self.distance = distance
        self.projection = projection; self.bounds = bounds; self.near = near; self.far = far
        clamp()
    }

    // MARK: - Movement

    /// Keeps target, pitch and distance inside `bounds`, and yaw in -π...π.
    public mutating func clamp() {
        target.x = min(max(target.x, bounds.minTarget.x), bounds.maxTarget.x)
        target.y = min(max(target.y, bounds.minTarget.y), bounds.maxTarget.y)
        target.z = min(max(target.z, bounds.minTarget.z), bounds.maxTarget.z)
        pitch = min(max(pitch, bounds.minPitch), bounds.maxPitch)
        distance = min(max(distance, bounds.minDistance), bounds.maxDistance)
        yaw = remainder(yaw, 2 * .pi)
    }

    /// The ground direction that is "right" on screen.
    public var groundRight: Vec3 { Vec3(cos(yaw), 0, -sin(yaw)) }
    /// The ground direction that is "up"/"away" on screen.
    public var groundForward: Vec3 { Vec3(-sin(yaw), 0, -cos(yaw)) }

    /// Moves the target across the ground by `right` and `forward` world units (screen-aligned).
    public mutating func pan(right: Float, forward: Float) {
        target += groundRight * right + groundForward * forward
        clamp()
    }

    /// Pans so the ground follows a mouse drag of (dx, dy) pixels in a viewport `height` pixels tall.
    public mutating func pan(pixelsX dx: Float, pixelsY dy: Float, viewportHeight height: Int) {
        let worldPerPixel = 2 * distance * tan(fovY / 2) / Float(max(1, height))
        pan(right: -dx * worldPerPixel, forward: dy * worldPerPixel / max(sin(pitch), 0.2))
    }

    /// Turns around the target by `yaw` and tilts by `pitch` radians.
    public mutating func rotate(yaw dYaw: Float, pitch dPitch: Float = 0) {
        yaw += dYaw
        pitch += dPitch
        clamp()
    }

    /// Multiplies the distance by `factor` (< 1 zooms in).
    public mutating func zoom(by factor: Float) {
        guard factor > 0, factor.isFinite else { return }
        distance *= factor
        clamp()
    }

    // MARK: - Matrices

    public var fovY: Float {
        switch projection {
        case .perspective(let f), .orthographic(let f): return f
        }
    }

    public var eye: Vec3 {
        target + Vec3(cos(pitch) * sin(yaw), sin(pitch), cos(pitch) * cos(yaw)) * distance
    }

    public var viewMatrix: Mat4 { Mat4.lookAt(eye: eye, target: target, up: .up) }

    public func projectionMatrix(aspect: Float) -> Mat4 {
        switch projection {
        case .perspective(let fov):
            return Mat4.perspective(fovY: fov, aspect: aspect, near: near, far: far)
        case .orthographic(let fov):
            let halfHeight = distance * tan(fov / 2)
            let halfWidth = halfHeight * aspect
            return Mat4.orthographic(left: -halfWidth, right: halfWidth, bottom: -halfHeight,
                                     top: halfHeight, near: -far, far: far)
        }
    }

    public func viewProjection(width: Int, height: Int) -> Mat4 {
        projectionMatrix(aspect: Float(max(1, width)) / Float(max(1, height))) * viewMatrix
    }

    // MARK: - Picking

    /// The pixel (origin top-left, y down) where a world point appears in a `width`×`height`
    /// viewport, with its depth in 0...1; nil when the point is behind the camera.
    public func project(_ point: Vec3, width: Int, height: Int) -> (x: Float, y: Float, depth: Float)? {
        let clip = viewProjection(width: width, height: height) * Vec4(point, 1)
        guard clip.w > 0 else { return nil }
        let ndc = Vec3(clip.x / clip.w, clip.y / clip.w, clip.z / clip.w)
        return ((ndc.x + 1) / 2 * Float(width), (1 - ndc.y) / 2 * Float(height), (ndc.z + 1) / 2)
    }

    /// The world-space ray through pixel (x, y) (origin top-left).
    public func ray(x: Float, y: Float, width: Int, height: Int) -> (origin: Vec3, direction: Vec3)? {
        guard let inverse = viewProjection(width: width, height: height).inverse else { return nil }
        let nx = x / Float(max(1, width)) * 2 - 1
        let ny = 1 - y / Float(max(1, height)) * 2
        let nearPoint = inverse.transformPoint(Vec3(nx, ny, -1))
        let farPoint = inverse.transformPoint(Vec3(nx, ny, 1))
        return (nearPoint, (farPoint - nearPoint).normalized)
    }

    /// Where the ray through pixel (x, y) meets the horizontal plane y = `planeY` (tile picking).
    public func groundPoint(x: Float, y: Float, width: Int, height: Int, planeY: Float = 0) -> Vec3? {
        guard let r = ray(x: x, y: y, width: width, height: height), abs(r.direction.y) > 1e-6 else {
            return nil
        }
        let t = (planeY - r.origin.y) / r.direction.y
        return t >= 0 ? r.origin + r.direction * t : nil
    }
}
