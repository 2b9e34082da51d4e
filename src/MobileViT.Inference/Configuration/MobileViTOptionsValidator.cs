using Microsoft.Extensions.Options;
using MobileViT.Inference.Sources;

namespace MobileViT.Inference.Configuration;

/// <summary>Start-up validation; every failure names the configuration key (in environment-variable form) that is wrong.</summary>
public sealed class MobileViTOptionsValidator : IValidateOptions<MobileViTOptions>
{
    private const string Prefix = "MobileViT__";

    public ValidateOptionsResult Validate(string? name, MobileViTOptions options)
    {
        var errors = new List<string>();
        if (options.Models.Count == 0 && options.Repository.Directory is null)
            errors.Add($"{Prefix}Models: at least one model is required, or a repository ({Prefix}Repository__Path) (e.g. {Prefix}Models__0__Name=mobilevit-small, {Prefix}Models__0__Source=hf:Xenova/mobilevit-small).");

        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < options.Models.Count; i++)
        {
            var model = options.Models[i];
            var key = $"{Prefix}Models__{i}__";
            if (string.IsNullOrWhiteSpace(model.Name))
                errors.Add($"{key}Name is required.");
            else if (!IsUrlSafe(model.Name))
                errors.Add($"{key}Name '{model.Name}' may only contain letters, digits, '-', '_' and '.'.");
            else if (!names.Add(model.Name))
                errors.Add($"{key}Name '{model.Name}' is used by another model.");

            if (!ModelSource.TryParse(model.Source, out _, out var sourceError))
                errors.Add($"{key}Source: {sourceError}");
            if (model.OnnxFile is not null && (string.IsNullOrWhiteSpace(model.OnnxFile) || Path.IsPathRooted(model.OnnxFile) || model.OnnxFile.Contains("..")))
                errors.Add($"{key}OnnxFile must be a relative path inside the model directory, e.g. onnx/model.onnx.");
            if (!string.IsNullOrWhiteSpace(model.PreprocessingMode) && PreprocessingOptions.Parse(model.PreprocessingMode) is null)
                errors.Add($"{key}PreprocessingMode must be exact or fast, or unset to follow {Prefix}Preprocessing__Mode (was '{model.PreprocessingMode}').");
        }

        // With a repository the default may be one of its models, which are known only once it is read.
        if (!string.IsNullOrWhiteSpace(options.DefaultModel) && !names.Contains(options.DefaultModel) && options.Repository.Directory is null)
            errors.Add($"{Prefix}DefaultModel '{options.DefaultModel}' is not one of the configured model names.");

        var batching = options.Batching;
        if (batching.MaxBatchSize is not null and (< 1 or > 1024))
            errors.Add($"{Prefix}Batching__MaxBatchSize must be between 1 and 1024 (was {batching.MaxBatchSize}).");
        if (batching.MaxQueueDelayMs is < 0 or > 10_000)
            errors.Add($"{Prefix}Batching__MaxQueueDelayMs must be between 0 and 10000 (was {batching.MaxQueueDelayMs}).");
        if (batching.QueueCapacity < 1)
            errors.Add($"{Prefix}Batching__QueueCapacity must be at least 1 (was {batching.QueueCapacity}).");
        if (batching.RequestTimeoutMs < 1)
            errors.Add($"{Prefix}Batching__RequestTimeoutMs must be at least 1 (was {batching.RequestTimeoutMs}).");
        foreach (var (level, share) in new[] { ("High", batching.Priority.HighShare), ("Normal", batching.Priority.NormalShare), ("Low", batching.Priority.LowShare) })
        {
            if (double.IsNaN(share) || share is <= 0 or > 4)
                errors.Add($"{Prefix}Batching__Priority__{level}Share must be above 0 and at most 4, a fraction of QueueCapacity (was {share}).");
        }
        if (batching.DrainRateWindowMs is < 100 or > 600_000)
            errors.Add($"{Prefix}Batching__DrainRateWindowMs must be between 100 and 600000 (was {batching.DrainRateWindowMs}).");
        if (double.IsNaN(batching.WaitEstimateSafetyFactor) || batching.WaitEstimateSafetyFactor is < 1 or > 10)
            errors.Add($"{Prefix}Batching__WaitEstimateSafetyFactor must be between 1 and 10 (was {batching.WaitEstimateSafetyFactor}).");
        if (double.IsNaN(batching.AdmissionQuantile) || batching.AdmissionQuantile is < 0.5 or > 1)
            errors.Add($"{Prefix}Batching__AdmissionQuantile must be between 0.5 and 1 (was {batching.AdmissionQuantile}).");
        if (batching.AdmissionCalibrationWindowMs is < 100 or > 600_000)
            errors.Add($"{Prefix}Batching__AdmissionCalibrationWindowMs must be between 100 and 600000 (was {batching.AdmissionCalibrationWindowMs}).");
        var guaranteed = batching.Priority.NormalGuaranteedShare + batching.Priority.LowGuaranteedShare;
        foreach (var (level, share) in new[] { ("Normal", batching.Priority.NormalGuaranteedShare), ("Low", batching.Priority.LowGuaranteedShare) })
        {
            if (double.IsNaN(share) || share is < 0 or > 0.5)
                errors.Add($"{Prefix}Batching__Priority__{level}GuaranteedShare must be between 0 and 0.5, a fraction of the images run (was {share}).");
        }
        if (guaranteed > 0.5)
            errors.Add($"{Prefix}Batching__Priority__NormalGuaranteedShare and LowGuaranteedShare must add up to at most 0.5 (was {guaranteed}).");

        var execution = options.Execution;
        try
        {
            if (execution.ParseProviders().Count == 0)
                errors.Add($"{Prefix}Execution__Providers must name at least one provider, e.g. CUDA,CPU.");
        }
        catch (FormatException e)
        {
            errors.Add($"{Prefix}Execution__Providers: {e.Message}");
        }
        if (!ExecutionPlan.TryParseCount(execution.Instances, out _))
            errors.Add($"{Prefix}Execution__Instances must be 'auto' or a whole number from 1 to 64 (was '{execution.Instances}').");
        if (!ExecutionPlan.TryParseCount(execution.IntraOpThreads, out _))
            errors.Add($"{Prefix}Execution__IntraOpThreads must be 'auto' or a whole number from 1 to 64 (was '{execution.IntraOpThreads}').");
        if (execution.ParseTuning() is null)
            errors.Add($"{Prefix}Execution__Tuning must be off or auto (was '{execution.Tuning}').");
        if (double.IsNaN(execution.TuningBudgetSeconds) || execution.TuningBudgetSeconds is < 1 or > 600)
            errors.Add($"{Prefix}Execution__TuningBudgetSeconds must be between 1 and 600 (was {execution.TuningBudgetSeconds}).");
        if (double.IsNaN(execution.TuningLatencyBudgetMs) || execution.TuningLatencyBudgetMs is <= 0 or > 60_000)
            errors.Add($"{Prefix}Execution__TuningLatencyBudgetMs must be above 0 and at most 60000 (was {execution.TuningLatencyBudgetMs}).");
        if (execution.CudaDeviceId < 0)
            errors.Add($"{Prefix}Execution__CudaDeviceId must be 0 or more.");
        try
        {
            execution.ParsePreprocessing();
        }
        catch (FormatException)
        {
            errors.Add($"{Prefix}Execution__Preprocessing must be auto, worker or request (was '{execution.Preprocessing}').");
        }

        if (PreprocessingOptions.Parse(options.Preprocessing.Mode) is null)
            errors.Add($"{Prefix}Preprocessing__Mode must be exact or fast (was '{options.Preprocessing.Mode}').");

        var limits = options.Limits;
        if (limits.MaxImageBytes is < 1 or > ImageLimitsOptions.MaxImageBytesLimit)
            errors.Add($"{Prefix}Limits__MaxImageBytes must be between 1 and {ImageLimitsOptions.MaxImageBytesLimit} (was {limits.MaxImageBytes}).");
        if (limits.MaxImagePixels < 1)
            errors.Add($"{Prefix}Limits__MaxImagePixels must be positive.");
        if (limits.MaxImagesPerRequest is < 1 or > ImageLimitsOptions.MaxImagesPerRequestLimit)
            errors.Add($"{Prefix}Limits__MaxImagesPerRequest must be between 1 and {ImageLimitsOptions.MaxImagesPerRequestLimit} (was {limits.MaxImagesPerRequest}).");
        if (limits.RequestMemoryBytes is { } budget && budget < Limits.RequestMemorySize.MinimumFor(Math.Max(1, limits.MaxImageBytes)))
        {
            errors.Add($"{Prefix}Limits__RequestMemoryBytes must be at least twice MaxImageBytes and 1 MiB " +
                $"({Limits.RequestMemorySize.MinimumFor(Math.Max(1, limits.MaxImageBytes))}), so that the largest image fits (was {budget}).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static bool IsUrlSafe(string name) =>
        name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
}
