using Microsoft.ML.OnnxRuntime;

namespace MobileViT.Inference.Runtime;

/// <summary>
/// One ONNX Runtime session with input and output buffers for every batch size up to the maximum, bound once as
/// <see cref="OrtValue"/>s over pinned managed memory, so a run allocates nothing.
/// </summary>
public sealed class SessionInstance : IBatchRunner
{
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly float[] _input;
    private readonly float[] _output;
    private readonly OrtValue[] _inputValues;
    private readonly OrtValue[] _outputValues;

    public SessionInstance(int id, InferenceSession session, string executionProvider, ModelSignature signature, int maxBatchSize)
    {
        Id = id;
        _session = session;
        ExecutionProvider = executionProvider;
        Signature = signature;
        MaxBatchSize = maxBatchSize;
        _inputNames = [signature.InputName];
        _outputNames = [signature.OutputName];
        _input = GC.AllocateArray<float>(maxBatchSize * signature.SampleLength, pinned: true);
        _output = GC.AllocateArray<float>(maxBatchSize * signature.ClassCount, pinned: true);
        _inputValues = new OrtValue[maxBatchSize];
        _outputValues = new OrtValue[maxBatchSize];
        for (var batch = 1; batch <= maxBatchSize; batch++)
        {
            _inputValues[batch - 1] = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance,
                _input.AsMemory(0, batch * signature.SampleLength),
                [batch, signature.Channels, signature.Height, signature.Width]);
            _outputValues[batch - 1] = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance,
                _output.AsMemory(0, batch * signature.ClassCount),
                [batch, signature.ClassCount]);
        }
    }

    public int Id { get; }
    public string ExecutionProvider { get; }
    public ModelSignature Signature { get; }
    public int MaxBatchSize { get; }

    /// <summary>Where sample <paramref name="index"/> of the next batch goes.</summary>
    public Span<float> InputSlot(int index) => _input.AsSpan(index * Signature.SampleLength, Signature.SampleLength);

    /// <summary>The logits of sample <paramref name="index"/> of the last batch.</summary>
    public ReadOnlySpan<float> OutputSlot(int index) => _output.AsSpan(index * Signature.ClassCount, Signature.ClassCount);

    public void Run(int batchSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(batchSize, MaxBatchSize);
        _session.Run(_runOptions, _inputNames, [_inputValues[batchSize - 1]], _outputNames, [_outputValues[batchSize - 1]]);
    }

    /// <summary>
    /// Runs every batch size twice so that no client pays for first-run allocations and kernel selection: ONNX Runtime
    /// plans a new input shape's memory on its first run and allocates that plan on its second, which is as slow as
    /// the first (XXS batch 1: ~65 and ~190 ms, then ~15 ms; docs/benchmarks.md).
    /// </summary>
    public void WarmUp()
    {
        Array.Clear(_input);
        for (var pass = 0; pass < 2; pass++)
        {
            for (var batch = 1; batch <= MaxBatchSize; batch++)
                Run(batch);
        }
    }

    /// <summary>Ends ONNX Runtime's profiling (when the session was created with it) and returns the profile's path.</summary>
    public string EndProfiling() => Path.GetFullPath(_session.EndProfiling());

    public void Dispose()
    {
        foreach (var value in _inputValues.Concat(_outputValues))
            value?.Dispose();
        _runOptions.Dispose();
        _session.Dispose();
    }
}
