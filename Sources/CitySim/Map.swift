// Map.swift — the tile grid, its terrain and structures, and the networks derived from it.
//
// One tile is one hectare (100 m × 100 m). A tile holds at most one structure: a road piece, a
// rail piece, a bus stop (a road tile with a stop), a metro station (a rail tile with a
// station), or an entity (building, plant, storage, green zone).
//
// Networks are derived from tiles whenever a road or rail piece changes:
// - road components (4-neighbour connected road tiles, stops included) carry both traffic and
//   the power distribution lines: a power island is one road component;
// - a structure is connected to the island of the nearest road tile within
//   `TileMap.serviceReach` tiles (Manhattan), searched in a fixed order;
// - each tile knows its walking distance to the nearest bus stop and metro station.
//
// A road or rail piece on water is a bridge: the terrain stays water, the piece joins its
// network like any other, so a road bridge carries the power lines across. Below the surface, a
// tile may hold a metro tunnel (`tunnel`), under anything: tunnels join the rail network where
// they touch rail, stations or each other, so a metro line can run under a dense city.
import ECS

public enum Terrain: UInt8, Sendable, CaseIterable, Codable {
    case land, water, hill, forest
    public var name: String { ["land", "water", "hill", "forest"][Int(rawValue)] }
    public var isBuildable: Bool { self != .water }
}

public enum TileStructure: UInt8, Sendable, Codable {
    case none, road, rail, busStop, metroStation, entity
    public var isRoad: Bool { self == .road || self == .busStop }
    public var isRail: Bool { self == .rail || self == .metroStation }
    /// Road and rail pieces may stand on water, as bridges; nothing else may.
    public var canBridge: Bool { self == .road || self == .rail || self == .busStop || self == .metroStation }
}

public struct TilePosition: Component, Hashable, Sendable {
    public var x: Int32
    public var y: Int32
    public init(_ x: Int, _ y: Int) {
        self.x = Int32(x)
        self.y = Int32(y)
    }
    /// Manhattan distance in tiles.
    public func distance(to other: TilePosition) -> Int { Int(abs(x - other.x) + abs(y - other.y)) }
}

extension Entity {
    /// "No entity" in tile arrays.
    public static let none = Entity(index: .max, generation: .max)
}

public struct TileMap: Sendable, SavedResource {
    public static let maximumSide = 512
    /// How far (tiles, Manhattan) a structure may be from a road to be served by it.
    public static let serviceReach = 3
    /// Distances to stops are capped here (tiles); farther counts as "no stop".
    public static let stopSearchLimit = 12

    public let width: Int
    public let height: Int
    public private(set) var terrain: [Terrain]
    public private(set) var structure: [TileStructure]
    public private(set) var occupant: [Entity]
    /// Bike lanes along road tiles.
    public private(set) var bikeLane: [Bool]
    /// Metro tunnels under tiles (whatever stands on the surface).
    public private(set) var tunnel: [Bool]

    // Derived networks (rebuilt by `rebuildNetworks()` when `networksDirty`).
    public private(set) var roadComponent: [Int32]
    public private(set) var railComponent: [Int32]
    public private(set) var busStopDistance: [UInt8]
    public private(set) var metroStationDistance: [UInt8]
    /// The road tile serving each tile (see `servingRoadTile`), or -1.
    public private(set) var servingRoad: [Int32]
    /// The rail component of each tile's nearest metro station, or -1.
    public private(set) var nearestStationLine: [Int32]
    public private(set) var roadComponentCount = 0
    public private(set) var networksDirty = true
    /// Bumped whenever any tile's structure changes, so caches (e.g. service links) can refresh.
    public private(set) var revision = 0
    /// The revision at which structures were last linked to the networks.
    public private(set) var linkedRevision = -1

    public mutating func markLinked() { linkedRevision = revision }

    public init(width: Int, height: Int, terrain fill: Terrain = .land) {
        precondition(width > 0 && height > 0 && width <= TileMap.maximumSide && height <= TileMap.maximumSide)
        self.width = width
        self.height = height
        let n = width * height
        terrain = Array(repeating: fill, count: n)
        structure = Array(repeating: .none, count: n)
        occupant = Array(repeating: .none, count: n)
        bikeLane = Array(repeating: false, count: n)
        tunnel = Array(repeating: false, count: n)
        roadComponent = Array(repeating: -1, count: n)
        railComponent = Array(repeating: -1, count: n)
        busStopDistance = Array(repeating: UInt8.max, count: n)
        metroStationDistance = Array(repeating: UInt8.max, count: n)
        servingRoad = Array(repeating: -1, count: n)
        nearestStationLine = Array(repeating: -1, count: n)
    }

    @inline(__always) public func index(_ x: Int, _ y: Int) -> Int { y * width + x }
    @inline(__always) public func contains(_ x: Int, _ y: Int) -> Bool { x >= 0 && y >= 0 && x < width && y < height }
    public var tileCount: Int { width * height }

    public mutating func setTerrain(_ x: Int, _ y: Int, _ value: Terrain) {
        terrain[index(x, y)] = value
    }

    public mutating func setStructure(_ x: Int, _ y: Int, _ value: TileStructure, occupant entity: Entity = .none) {
        let i = index(x, y)
        if structure[i] != value && (value != .entity && value != .none || structure[i] != .entity && structure[i] != .none) {
            networksDirty = true
        }
        structure[i] = value
        occupant[i] = entity
        if !value.isRoad { bikeLane[i] = false }
        revision += 1
    }

    /// What remains on the surface when a stop or station is removed from tile `i`: the road
    /// under a bus stop, the rail under a station on the surface line, or nothing where the
    /// station stood over a tunnel (surface rail never runs over a tunnel).
    public func surface(afterRemoving piece: TileStructure, at i: Int) -> TileStructure {
        switch piece {
        case .busStop: return .road
        case .metroStation: return tunnel[i] ? .none : .rail
        default: return .none
        }
    }

    /// Whether a road or rail piece at tile `i` is a bridge (stands on water).
    @inline(__always) public func isBridge(_ i: Int) -> Bool { terrain[i] == .water && structure[i].canBridge }

    public mutating func setTunnel(_ x: Int, _ y: Int, _ on: Bool) {
        let i = index(x, y)
        guard tunnel[i] != on else { return }
        tunnel[i] = on
        networksDirty = true
        revision += 1
    }

    public mutating func setBikeLane(_ x: Int, _ y: Int, _ on: Bool) {
        let i = index(x, y)
        guard structure[i].isRoad, bikeLane[i] != on else { return }
        bikeLane[i] = on
        networksDirty = true  // commuters' access (bike routes) is derived from the network
        revision += 1
    }

    // MARK: Derived networks

    public mutating func rebuildNetworks() {
        guard networksDirty else { return }
        roadComponentCount = label(into: &roadComponent) { structure[$0].isRoad }
        _ = label(into: &railComponent) { structure[$0].isRail || tunnel[$0] }
        var ignored: [Int32] = []
        distanceField(into: &busStopDistance, nearest: &ignored, limit: TileMap.stopSearchLimit) { $0 == .busStop }
        var stationTile: [Int32] = []
        distanceField(into: &metroStationDistance, nearest: &stationTile, limit: TileMap.stopSearchLimit) { $0 == .metroStation }
        nearestStationLine = stationTile.map { $0 >= 0 ? railComponent[Int($0)] : -1 }
        var roadDistance: [UInt8] = []
        distanceField(into: &roadDistance, nearest: &servingRoad, limit: TileMap.serviceReach) { $0.isRoad }
        networksDirty = false
    }

    /// Connected components (4-neighbour) of the tiles `member` accepts (by index); returns the count.
    private func label(into labels: inout [Int32], _ member: (Int) -> Bool) -> Int {
        labels = Array(repeating: -1, count: tileCount)
        var next: Int32 = 0
        var stack: [Int] = []
        for start in 0..<tileCount where labels[start] < 0 && member(start) {
            labels[start] = next
            stack.append(start)
            while let i = stack.popLast() {
                let x = i % width, y = i / width
                for step in 0..<4 {
                    let nx = x + (step == 0 ? 1 : step == 1 ? -1 : 0), ny = y + (step == 2 ? 1 : step == 3 ? -1 : 0)
                    guard contains(nx, ny) else { continue }
                    let j = index(nx, ny)
                    if labels[j] < 0 && member(j) {
                        labels[j] = next
                        stack.append(j)
                    }
                }
            }
            next += 1
        }
        return Int(next)
    }

    /// Breadth-first Manhattan distance (tiles, up to `limit`) to the nearest tile `source`
    /// accepts, and which tile that is. Sources are visited in index order and neighbours in a
    /// fixed order, so ties always resolve the same way.
    private func distanceField(into field: inout [UInt8], nearest: inout [Int32], limit: Int,
                               _ source: (TileStructure) -> Bool) {
        field = Array(repeating: UInt8.max, count: tileCount)
        nearest = Array(repeating: -1, count: tileCount)
        var frontier: [Int] = []
        for i in 0..<tileCount where source(structure[i]) {
            field[i] = 0
            nearest[i] = Int32(i)
            frontier.append(i)
        }
        var distance: UInt8 = 0
        var nextFrontier: [Int] = []
        while !frontier.isEmpty && Int(distance) < limit {
            distance += 1
            nextFrontier.removeAll(keepingCapacity: true)
            for i in frontier {
                let x = i % width, y = i / width
                for step in 0..<4 {
                    let nx = x + (step == 0 ? 1 : step == 1 ? -1 : 0), ny = y + (step == 2 ? 1 : step == 3 ? -1 : 0)
                    guard contains(nx, ny) else { continue }
                    let j = index(nx, ny)
                    if field[j] == UInt8.max {
                        field[j] = distance
                        nearest[j] = nearest[i]
                        nextFrontier.append(j)
                    }
                }
            }
            swap(&frontier, &nextFrontier)
        }
    }

    /// The road tile serving (x, y): the nearest road tile within `serviceReach` tiles
    /// (Manhattan), or nil. Valid after `rebuildNetworks()`.
    @inline(__always)
    public func servingRoadTile(_ x: Int, _ y: Int) -> Int? {
        let road = servingRoad[index(x, y)]
        return road >= 0 ? Int(road) : nil
    }

    /// Whether the nearest metro stations of two tiles lie on one connected rail network.
    @inline(__always)
    public func sameRailLine(_ a: Int, _ b: Int) -> Bool {
        nearestStationLine[a] >= 0 && nearestStationLine[a] == nearestStationLine[b]
    }

    /// The power island (road component) serving (x, y), or -1 when no road is within reach.
    public func island(servingX x: Int, y: Int) -> Int {
        guard let road = servingRoadTile(x, y) else { return -1 }
        return Int(roadComponent[road])
    }
}

// MARK: - Saved form
//
// The map's arrays can only be set through its own methods, so loading replays them: terrain,
// then one `setStructure` per occupied tile, then the `revision` counter (which counts those calls
// over the map's life) and `linkedRevision` exactly as saved; then bike lanes; then the
// derived networks are rebuilt, which gives the saved ones since they are a pure function of the
// structures (a save is refused while they are out of date).

extension TileMap {
    /// A revision count beyond this is not one a game reaches; refusing it bounds the replay.
    static let maximumRevision = 1 << 30

    enum CodingKeys: String, CodingKey {
        case width, height, terrain, structure, occupant, bikeLane, tunnel, roadComponentCount, revision, linkedRevision
    }

    public func encode(to encoder: any Encoder) throws {
        guard !networksDirty else { throw SaveValidationError("the map's networks are out of date; save between ticks") }
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(width, forKey: .width)
        try container.encode(height, forKey: .height)
        try container.encode(terrain.map(\.rawValue), forKey: .terrain)
        try container.encode(structure.map(\.rawValue), forKey: .structure)
        try container.encode(occupant.map(\.packed), forKey: .occupant)
        try container.encode(bikeLane, forKey: .bikeLane)
        try container.encode(tunnel, forKey: .tunnel)
        try container.encode(roadComponentCount, forKey: .roadComponentCount)
        try container.encode(revision, forKey: .revision)
        try container.encode(linkedRevision, forKey: .linkedRevision)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self = try TileMap(restoringWidth: try container.decode(Int.self, forKey: .width),
                           height: try container.decode(Int.self, forKey: .height),
                           terrain: try container.decode([UInt8].self, forKey: .terrain),
                           structure: try container.decode([UInt8].self, forKey: .structure),
                           occupant: try container.decode([UInt64].self, forKey: .occupant).map(Entity.init(packed:)),
                           bikeLane: try container.decode([Bool].self, forKey: .bikeLane),
                           tunnel: try container.decode([Bool].self, forKey: .tunnel),
                           roadComponentCount: try container.decode(Int.self, forKey: .roadComponentCount),
                           revision: try container.decode(Int.self, forKey: .revision),
                           linkedRevision: try container.decode(Int.self, forKey: .linkedRevision))
    }

    /// A map rebuilt through its own API from saved arrays, checked tile by tile.
    init(restoringWidth width: Int, height: Int, terrain: [UInt8], structure: [UInt8], occupant: [Entity], bikeLane: [Bool],
         tunnel: [Bool], roadComponentCount: Int, revision: Int, linkedRevision: Int) throws(SaveValidationError) {
        guard (1...TileMap.maximumSide).contains(width), (1...TileMap.maximumSide).contains(height) else {
            throw SaveValidationError("the map is \(width) × \(height); each side must be 1…\(TileMap.maximumSide)")
        }
        let n = width * height
        for (what, count) in [("the terrain", terrain.count), ("the structures", structure.count), ("the occupants", occupant.count),
                              ("the bike lanes", bikeLane.count), ("the tunnels", tunnel.count)] where count != n {
            throw SaveValidationError("\(what) has \(count) tiles, not \(n)")
        }
        guard (0...TileMap.maximumRevision).contains(revision) else { throw SaveValidationError("the map revision \(revision) is impossible") }
        guard (-1...revision).contains(linkedRevision) else { throw SaveValidationError("the map's linked revision \(linkedRevision) is impossible") }
        self.init(width: width, height: height)
        var placed: [Int] = []
        for i in 0..<n {
            guard let kind = Terrain(rawValue: terrain[i]) else { throw SaveValidationError("tile \(i) has unknown terrain \(terrain[i])") }
            if kind != .land { setTerrain(i % width, i / width, kind) }
            guard let s = TileStructure(rawValue: structure[i]) else {
                throw SaveValidationError("tile \(i) has unknown structure \(structure[i])")
            }
            guard (s == .entity) == (occupant[i] != .none) else { throw SaveValidationError("tile \(i)'s occupant does not match its structure") }
            guard !bikeLane[i] || s.isRoad else { throw SaveValidationError("tile \(i) has a bike lane off the road") }
            if s != .none { placed.append(i) }
        }
        guard placed.count <= revision else {
            throw SaveValidationError("the map revision \(revision) is lower than its \(placed.count) structures")
        }
        for i in placed { setStructure(i % width, i / width, TileStructure(rawValue: structure[i])!, occupant: occupant[i]) }
        self.bikeLane = bikeLane
        self.tunnel = tunnel
        // The counters are set, not replayed: a hostile revision must not cost a billion calls.
        self.revision = revision
        self.linkedRevision = linkedRevision
        rebuildNetworks()
        guard self.roadComponentCount == roadComponentCount, self.revision == revision,
              self.linkedRevision == linkedRevision, !networksDirty else {
            throw SaveValidationError("the map's networks do not rebuild as saved")
        }
    }
}
