/**
 * Secure aggregation: the server learns the sum of the clients' quantized updates and nothing else
 * about any one of them. A pure protocol library (Bouncy Castle only, no actors): {@link
 * io.flock.privacy.secagg.SecaggClient} and {@link io.flock.privacy.secagg.SecaggServer} are state
 * machines that take and return the immutable records of {@link
 * io.flock.privacy.secagg.SecaggMessages}; the transport that carries them is not part of it.
 *
 * <h2>Protocol</h2>
 *
 * The masking protocol of Bonawitz et al. 2017 ("Practical Secure Aggregation for
 * Privacy-Preserving Machine Learning", CCS), for an honest-but-curious server, over the sparse
 * neighbour graph of SecAgg+ (Bell et al. 2020, "Secure Single-Server Aggregation with
 * (Poly)Logarithmic Overhead", CCS; {@link io.flock.privacy.secagg.SecaggGraph}). Client u sends
 *
 * <pre>
 *   y_u = q(x_u) + PRG(b_u) + sum over neighbours v > u of PRG(s_uv) - sum over v < u of PRG(s_uv)
 * </pre>
 *
 * mod 2^32, where q is stochastic quantization ({@link io.flock.privacy.secagg.SecaggQuantizer}),
 * b_u a fresh self-mask seed that u Shamir-shares (threshold t) among its k neighbours, and s_uv a
 * seed that u and v both derive. Pairwise masks cancel in the sum; the server removes each self
 * mask by rebuilding b_u from t shares, and each pairwise mask that a dropped client left
 * unmatched. Phases: (1) AdvertiseKeys, (2) ShareKeys, (3) MaskedInput, (4) Unmask.
 *
 * <h2>Keys</h2>
 *
 * Every client advertises a fresh X25519 key and a fresh ML-KEM-768 key per round, signed with its
 * ML-DSA-65 identity ({@link io.flock.privacy.identity.NodeIdentity}). For each neighbour v, u
 * encapsulates to v's ML-KEM key; the channel key from u to v is HKDF-SHA256 of the X25519 secret
 * and u's KEM secret, and encrypts (AES-256-GCM) u's share for v; s_uv is HKDF-SHA256 of the X25519
 * secret and the KEM secret of the encapsulation from the smaller id to the larger. Both halves
 * must be broken to learn a key: X25519 against today's attackers, ML-KEM against a future quantum
 * one who recorded the traffic. The round id and both client ids are in every HKDF info, GCM
 * associated data and signed message; the HKDF infos also bind both ends' public keys and the KEM
 * ciphertext.
 *
 * <h2>The adaptation to a KEM</h2>
 *
 * In the original protocol s_uv comes from a non-interactive Diffie-Hellman agreement, and u also
 * Shamir-shares its agreement secret key: if u drops after ShareKeys, the server rebuilds that key
 * from t shares and recomputes every s_uv itself. ML-KEM has no such non-interactive agreement: a
 * KEM secret depends on an encapsulation that only the two ends ever hold, and sharing u's KEM
 * secret key would let the server decapsulate every ciphertext addressed to u. So here a dropped
 * client's pairwise masks are recovered from its surviving neighbours: each surviving v already
 * knows s_uv and reveals it. Privacy then rests on one rule that every honest client enforces per
 * neighbour u, across all unmask requests of the round: reveal EITHER its share of b_u (u is named
 * a survivor) OR s_uv (u is named dropped), never both. A server that names u a survivor to some
 * clients and dropped to others still cannot obtain both b_u and all of u's pairwise seeds, which
 * is what unmasking u's input alone would take: every honest neighbour that reveals s_uv withholds
 * its share of b_u, so the server would need t shares from colluding neighbours (Bonawitz et al.
 * make the same either-or argument for their two kinds of shares).
 *
 * <p>That rule alone is not enough here, because u knows every s_uv too: told that all its
 * neighbours dropped, u would reveal all its seeds itself while its neighbours, told that u
 * survived, reveal t shares of b_u. So u also answers only a request that names at least t of the
 * neighbours it masked with as survivors, revealing at most k - t of its own seeds; the neighbours
 * that could still give a share of b_u are then those u named dropped plus any it did not mask
 * with, at most k - t, fewer than t when {@code t > k/2}. An honest round loses nothing by it: a
 * survivor with fewer than t surviving neighbours could not have its self mask removed anyway.
 *
 * <p>The price: a survivor that has a dropped neighbour must answer the unmask request, since no
 * one else knows their pairwise seed; in the original protocol any t neighbours suffice. A client
 * that drops during Unmask is tolerated only if none of its neighbours dropped before.
 *
 * <p>Not covered: a server that deviates beyond naming different survivors to different clients
 * (Bonawitz et al.'s consistency-check round and signed survivor lists for an active server are
 * not implemented), and clients that lie about their inputs (secure aggregation hides inputs; it
 * does not validate them).
 */
package io.flock.privacy.secagg;
