/**
 * Client-level differential privacy for federated learning: clipping, noise, and an exact
 * accountant whose budget the coordinator enforces.
 *
 * <ul>
 *   <li>Mechanism: {@link io.flock.privacy.dp.L2Clipping} bounds each update's L2 norm; {@link
 *       io.flock.privacy.dp.GaussianNoise} adds CSPRNG Gaussian noise; {@link
 *       io.flock.privacy.dp.DpFedAvg} says how much and where (central or distributed); {@link
 *       io.flock.privacy.dp.AdaptiveClipping} tracks a quantile of update norms instead of a fixed
 *       clip.
 *   <li>Accounting: {@link io.flock.privacy.dp.RdpAccountant} (RDP of the sampled Gaussian
 *       mechanism, pure math), {@link io.flock.privacy.dp.PrivacyAccountant} (the history, also
 *       the checkpoint/wire form), {@link io.flock.privacy.dp.Conversion} (RDP to {@code (epsilon,
 *       delta)}), {@link io.flock.privacy.dp.PrivacyBudget} (the limit), {@link
 *       io.flock.privacy.dp.NoiseCalibration} (noise for a target).
 * </ul>
 *
 * <p>A coordinator's use: before training, {@code z = NoiseCalibration.noiseMultiplier(eps, delta,
 * q, rounds, IMPROVED)}; each round, check {@code budget.remainingSteps(accountant, q, z) > 0},
 * run the round with noise std {@code z * S} on the sum, then {@code accountant =
 * accountant.compose(q, zActual, 1)} (with {@link
 * io.flock.privacy.dp.DpFedAvg#effectiveNoiseMultiplier} when distributed shares dropped out) and
 * report {@code accountant.epsilon(delta)}.
 */
package io.flock.privacy.dp;
