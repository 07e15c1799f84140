package io.flock.actors.round;

import io.flock.actors.protocol.CborSerializable;
import io.flock.actors.protocol.Dropout;
import java.util.List;

/**
 * What happened in one round, for metrics and the round report.
 *
 * @param available nodes listed by the receptionist when the round began
 * @param sampled nodes asked to train
 * @param participants nodes whose update passed validation; in a failed round none of them is
 *     aggregated
 * @param samplesProcessed training samples processed by the participants (samples x epochs)
 * @param meanTrainLoss sample-weighted mean of the participants' local training loss (NaN if
 *     none)
 * @param dropouts every sampled node that did not contribute, with the reason
 * @param durationMillis wall time from the first request to the outcome
 * @param withinClipNorm accepted updates whose norm was within the clip norm before clipping
 */
public record RoundStats(
    int available,
    int sampled,
    int participants,
    long samplesProcessed,
    double meanTrainLoss,
    List<Dropout> dropouts,
    long durationMillis,
    int withinClipNorm)
    implements CborSerializable {

  public RoundStats {
    dropouts = List.copyOf(dropouts);
  }

  /** Stats without clipping information (every accepted update counted as within the norm). */
  public RoundStats(int available, int sampled, int participants, long samplesProcessed,
      double meanTrainLoss, List<Dropout> dropouts, long durationMillis) {
    this(available, sampled, participants, samplesProcessed, meanTrainLoss, dropouts, durationMillis, participants);
  }
}
