// NetworkBooks.swift — the construction carbon of the city's network pieces.
//
// Roads, bridges and tunnels have no entity, so their construction carbon cannot sit on an
// entity's `ConstructionLine`. The city keeps one account line per kind of piece instead, with
// the same fields and arithmetic as an entity's line (`LedgerLine.book`), booked in the same
// step as the city ledger's tally (double entry). The ledger's invariant is therefore "the
// city's total equals the sum over all entities, their retired books and these network lines".
//
// Booked as scope 3 (`Scope.outsideCity`), like a building's embodied carbon: the cement,
// steel and asphalt are made outside the city. The sector is `industry`, the materials' own
// sector: transport's scope-3 cell holds the residents' trips beyond the boundary alone
// (`LedgerTally.transboundaryTransport`). Surface rail track books none (no verified factor).
import ECS

/// The kinds of network piece whose construction carbon the city books.
public enum NetworkPiece: Int, CaseIterable, Sendable {
    case road, bridge, tunnel
    public var key: String { ["road", "bridge", "metro_tunnel"][rawValue] }

    /// The piece a build of `structure` on a tile of `terrain` makes, if it books carbon.
    public static func built(_ structure: Structure, on terrain: Terrain) -> NetworkPiece? {
        switch structure {
        case .road, .rail: return terrain == .water ? .bridge : structure == .road ? .road : nil
        case .metroTunnel: return .tunnel
        default: return nil
        }
    }

    /// Its factor (tCO2e per tile) and the factor's id in the catalog.
    public func factor(_ catalog: Catalog) -> (tonnes: Double, id: FactorID) {
        let e = catalog.economy
        switch self {
        case .road: return (e.roadEmbodied, e.roadEmbodiedID)
        case .bridge: return (e.bridgeEmbodied, e.bridgeEmbodiedID)
        case .tunnel: return (e.tunnelEmbodied, e.tunnelEmbodiedID)
        }
    }

    static let sector = Sector.industry
    static let scope = Scope.outsideCity
}

/// One piece kind's account: a `Flow` (quantity in tiles) and its lifetime tonnes.
public struct NetworkLine: Sendable {
    public var line = ConstructionLine()
    public var flow: Flow { line.flow }
    public var lifetimeTonnes: Double { line.lifetimeTonnes }
}

public struct NetworkBooks: Sendable, SavedResource {
    /// By `NetworkPiece.rawValue`.
    public internal(set) var lines = Array(repeating: NetworkLine(), count: NetworkPiece.allCases.count)
    public init() {}

    public subscript(piece: NetworkPiece) -> NetworkLine { lines[piece.rawValue] }

    /// Books `tiles` (negative: a correction) of `piece` on its line; returns the tonnes booked.
    mutating func book(_ piece: NetworkPiece, tiles: Double, catalog: Catalog, clock: Clock) -> Double {
        let (factor, id) = piece.factor(catalog)
        let tonnes = factor * tiles
        lines[piece.rawValue].line.book(id, value: factor, quantity: tiles, tonnes: tonnes, sector: NetworkPiece.sector,
                                        scope: NetworkPiece.scope, tick: clock.tick, year: clock.year)
        return tonnes
    }

    /// Visits every used line's flow (the ledger invariant's third book).
    public func forEachFlow(_ body: (NetworkPiece, Flow) -> Void) {
        for piece in NetworkPiece.allCases where lines[piece.rawValue].flow.isUsed { body(piece, lines[piece.rawValue].flow) }
    }
}

extension City {
    /// Books the construction carbon of a network piece built (tiles 1) or undone in the refund
    /// window (tiles −1, a correction of this year's books), on the city's network line and the ledger.
    static func bookNetwork(_ piece: NetworkPiece, tiles: Double, world: World) {
        let catalog = world.resource(Catalog.self)!
        let clock = world.resource(Clock.self)!
        if tiles < 0 {
            // A correction never takes back more than this year booked (a build of last year stays).
            let flow = world.resource(NetworkBooks.self)![piece].flow
            guard flow.isUsed, flow.year == clock.year, flow.yearQuantity >= -tiles else { return }
        }
        let tonnes = world.withResource(NetworkBooks.self) { $0.book(piece, tiles: tiles, catalog: catalog, clock: clock) }
        guard tonnes != 0 else { return }
        var tally = LedgerTally()
        tally.add(tonnes, sector: NetworkPiece.sector, scope: NetworkPiece.scope)
        world.withResource(Ledger.self) { $0.absorb(tally) }
    }

    /// The construction carbon (tCO2e) a build of `structure` on a tile of `terrain` books: an entity's
    /// embodied carbon, or a network piece's (a bridge on water).
    public static func constructionTonnes(_ structure: Structure, on terrain: Terrain, catalog: Catalog) -> Double {
        switch structure {
        case .building(let kind, let density): return catalog.building(kind).embodied * density
        case .plant(let kind): return catalog.plant(kind).embodied
        case .storage(let kind): return catalog.storageSpec(kind).embodied
        case .zone, .busStop, .metroStation, .bikeLane: return 0
        case .road, .rail, .metroTunnel: return NetworkPiece.built(structure, on: terrain)?.factor(catalog).tonnes ?? 0
        }
    }
}

// MARK: - Saved form

extension NetworkBooks {
    struct SavedLine: Codable {
        var piece: String
        var factor: UInt16
        var factorValue: Double
        var tick: Int64
        var year: Int
        var tickQuantity: Double
        var tickTonnes: Double
        var yearQuantity: Double
        var yearTonnes: Double
        var lifetimeTonnes: Double
    }
    enum CodingKeys: String, CodingKey { case lines }

    /// Lines by piece name, so that a piece kind added later reads as unused.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(NetworkPiece.allCases.map { piece -> SavedLine in
            let line = lines[piece.rawValue].line, f = line.flow
            return SavedLine(piece: piece.key, factor: f.factor.raw, factorValue: f.factorValue, tick: f.tick, year: f.year,
                             tickQuantity: f.tickQuantity, tickTonnes: f.tickTonnes, yearQuantity: f.yearQuantity,
                             yearTonnes: f.yearTonnes, lifetimeTonnes: line.lifetimeTonnes)
        }, forKey: .lines)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        for saved in try container.decode([SavedLine].self, forKey: .lines) {
            guard let piece = NetworkPiece.allCases.first(where: { $0.key == saved.piece }) else { continue }
            let numbers = [saved.factorValue, saved.tickQuantity, saved.tickTonnes, saved.yearQuantity, saved.yearTonnes, saved.lifetimeTonnes]
            guard numbers.allSatisfy(\.isFinite) else { throw SaveValidationError("the network books of '\(saved.piece)' hold a number that is not finite") }
            var line = ConstructionLine()
            line.flow = Flow(factor: FactorID(raw: saved.factor), factorValue: saved.factorValue, sector: NetworkPiece.sector,
                             scope: NetworkPiece.scope, tick: saved.tick, year: saved.year, tickQuantity: saved.tickQuantity,
                             tickTonnes: saved.tickTonnes, yearQuantity: saved.yearQuantity, yearTonnes: saved.yearTonnes)
            line.lifetimeTonnes = saved.lifetimeTonnes
            lines[piece.rawValue] = NetworkLine(line: line)
        }
    }
}
