/**
 * Cryptographic building blocks on Bouncy Castle's lightweight API (no JVM-global provider):
 * {@link io.flock.privacy.crypto.ChaCha20Prg}, the keyed generator behind DP noise and, later,
 * secure-aggregation masks.
 */
package io.flock.privacy.crypto;
