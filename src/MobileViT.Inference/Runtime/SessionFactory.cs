using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;
using MobileViT.Inference.Configuration;

namespace MobileViT.Inference.Runtime;

/// <summary>Creates ONNX Runtime sessions, trying execution providers in the configured order.</summary>
public sealed class SessionFactory(ILogger<SessionFactory> logger)
{
    /// <summary>Returns the session and the provider it runs on; a provider that fails is logged with its reason and the next is tried.</summary>
    /// <param name="profilePathPrefix">When set, ONNX Runtime's profiler writes its JSON trace under this prefix (diagnostics only).</param>
    public (InferenceSession Session, string Provider) Create(
        byte[] model, IReadOnlyList<ExecutionProviderKind> providers, int intraOpThreads, int cudaDeviceId, string modelName, int instance,
        string? profilePathPrefix = null)
    {
        var failures = new List<string>();
        foreach (var provider in providers)
        {
            SessionOptions? options = null;
            try
            {
                options = CreateOptions(provider, intraOpThreads, cudaDeviceId);
                if (profilePathPrefix is not null)
                {
                    // The prefix first: setting EnableProfiling passes the current prefix to ONNX Runtime.
                    options.ProfileOutputPathPrefix = profilePathPrefix;
                    options.EnableProfiling = true;
                }
                var session = new InferenceSession(model, options);
                var name = provider == ExecutionProviderKind.Cuda ? $"CUDA:{cudaDeviceId}" : "CPU";
                logger.LogInformation("Model {Model} instance {Instance}: session on {Provider} with {Threads} intra-op thread(s)",
                    modelName, instance, name, intraOpThreads);
                return (session, name);
            }
            catch (Exception e) when (e is OnnxRuntimeException or DllNotFoundException or EntryPointNotFoundException or TypeInitializationException)
            {
                logger.LogWarning("Model {Model} instance {Instance}: execution provider {Provider} failed to initialise, trying the next: {Reason}",
                    modelName, instance, provider, e.Message);
                failures.Add($"{provider}: {e.Message}");
            }
            finally
            {
                options?.Dispose();
            }
        }
        throw new InvalidOperationException($"No execution provider could run model '{modelName}': {string.Join("; ", failures)}");
    }

    private static SessionOptions CreateOptions(ExecutionProviderKind provider, int intraOpThreads, int cudaDeviceId)
    {
        var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            IntraOpNumThreads = intraOpThreads,
            InterOpNumThreads = 1,
        };
        // Spinning intra-op threads burn the cores that the other instances and the request threads need.
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        try
        {
            if (provider == ExecutionProviderKind.Cuda)
                options.AppendExecutionProvider_CUDA(cudaDeviceId);
        }
        catch
        {
            options.Dispose();
            throw;
        }
        return options;
    }
}
