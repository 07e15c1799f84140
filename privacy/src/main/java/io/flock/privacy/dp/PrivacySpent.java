package io.flock.privacy.dp;

/**
 * An {@code (epsilon, delta)}-DP guarantee read off an RDP curve: the result of {@link
 * PrivacyAccountant#epsilon} and {@link PrivacyAccountant#delta}.
 *
 * <p>A plain record of primitives and an enum, so it serializes as is into metrics, checkpoints
 * and CBOR messages.
 *
 * @param epsilon the privacy loss, {@code >= 0}; {@code +Infinity} when some step had no noise
 * @param delta the failure probability, in {@code (0, 1]}
 * @param order the Rényi order that gave the tightest bound; {@code NaN} when every order gave an
 *     infinite epsilon. An order at either end of the grid means a wider grid could do better.
 * @param conversion the RDP to {@code (epsilon, delta)} rule that was applied
 */
public record PrivacySpent(double epsilon, double delta, double order, Conversion conversion) {}
