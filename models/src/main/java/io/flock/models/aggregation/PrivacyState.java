package io.flock.models.aggregation;

import io.flock.privacy.dp.AdaptiveClipping;
import io.flock.privacy.dp.PrivacyAccountant;

/**
 * What a checkpoint carries of a differentially private run besides the server optimizer: the
 * accountant's record of every released round and, with adaptive clipping, the clipping state.
 * Produced by {@link Strategy#privacyState()} and given back with {@link
 * Strategy#restorePrivacyState}.
 *
 * @param accountant the accountant's record, not null
 * @param clipping the adaptive clipping state, or null with fixed clipping
 */
public record PrivacyState(PrivacyAccountant accountant, AdaptiveClipping clipping) {

  /** Requires the accountant. */
  public PrivacyState {
    if (accountant == null) {
      throw new IllegalArgumentException("a privacy state needs its accountant");
    }
  }
}
