namespace TracrInjection.Injection.Pretraining;

/// <summary>Linear warmup from 0 to the peak, then cosine decay to peak × min-ratio at the last step.</summary>
public static class LearningRateSchedule
{
    public static double At(long step, long totalSteps, double peak, int warmupSteps, double minRatio)
    {
        if (warmupSteps > 0 && step < warmupSteps) return peak * (step + 1) / warmupSteps;
        long decaySteps = Math.Max(1, totalSteps - warmupSteps);
        double progress = Math.Clamp((double)(step - warmupSteps) / decaySteps, 0, 1);
        double min = peak * minRatio;
        return min + (peak - min) * 0.5 * (1 + Math.Cos(Math.PI * progress));
    }

    public static double At(long step, long totalSteps, PretrainingOptions o) =>
        At(step, totalSteps, o.PeakLearningRate, o.WarmupSteps, o.MinLearningRateRatio);
}
