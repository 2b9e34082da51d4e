using MobileViT.Inference.Batching;
using MobileViT.Inference.Models;

namespace MobileViT.Service.Tests.RequestPath;

/// <summary>
/// A model's one instance held inside a batch by a <see cref="GateInput"/>, with <c>queued</c> more gates waiting
/// behind it: queueing, deadlines and cancellation behind it are exact. Disposing releases them all.
/// </summary>
internal sealed class HeldModel : IAsyncDisposable
{
    private readonly List<(GateInput Gate, Task Run)> _gates = [];

    public static async Task<HeldModel> StartAsync(ServedModel model, int queued)
    {
        var held = new HeldModel();
        var hold = new InferenceCallOptions(TimeSpan.FromDays(1));
        for (var i = 0; i <= queued; i++)
        {
            var gate = new GateInput();
            held._gates.Add((gate, model.Batcher.InferAsync(gate, hold, CancellationToken.None)));
            if (i == 0)
                await gate.Entered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }
        return held;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (gate, _) in _gates)
            gate.Release();
        await Task.WhenAll(_gates.Select(g => g.Run));
    }
}
