package io.flock.cli;

import io.flock.models.data.DataSets;
import java.util.Iterator;

/** The registered data set names, for picocli's {@code ${COMPLETION-CANDIDATES}} and shell completion. */
final class DataSetNames implements Iterable<String> {

  @Override
  public Iterator<String> iterator() {
    return DataSets.names().iterator();
  }
}
