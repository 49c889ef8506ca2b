package org.pointe4j.pointe;

import org.pointe4j.io.Progress;

/**
 * Turns a sampler's steps into {@link Progress} reports, so the terminal bar of the command line
 * and the progress bar of a notebook cell draw the same thing: one task per stage, named
 * {@code "stage 1/2 base"} (just the name when the sampler has one stage), counting finished steps
 * out of the stage's step count.
 */
public final class StageProgress {
    private StageProgress() {
    }

    /**
     * A listener reporting each step to {@code sink}.
     *
     * @param stageNames a name per stage (base, upsampler, ...); stages beyond them are only numbered
     */
    public static PointCloudSampler.Listener listener(Progress sink, String... stageNames) {
        String[] names = stageNames.clone();
        return e -> {
            String name = e.stage() < names.length ? names[e.stage()] : "";
            String task = e.stages() == 1 ? (name.isEmpty() ? "stage 1/1" : name)
                    : ("stage " + (e.stage() + 1) + "/" + e.stages() + " " + name).trim();
            // the final event repeats the last step's index; never report more than the total
            sink.report(task, Math.min(e.step().index() + 1, e.step().steps()), e.step().steps());
        };
    }
}
