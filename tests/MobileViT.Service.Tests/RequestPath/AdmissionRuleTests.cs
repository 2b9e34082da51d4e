using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using MobileViT.Inference.Serving;
using MobileViT.Service.Tests.Infrastructure;

namespace MobileViT.Service.Tests.RequestPath;

/// <summary>Admission rules registered with the host run in the one entry point, for every protocol, before any input is read.</summary>
public sealed class AdmissionRuleTests : IAsyncLifetime
{
    private readonly RefusingRule _callerRule = new(AdmissionStage.Caller, "the caller rule");
    private readonly RefusingRule _modelRule = new(AdmissionStage.Model, "the model rule");
    private RunningService _service = null!;

    public async Task InitializeAsync() => _service = await RunningService.StartAsync(RunningService.SmallModel(name: "admitted"), configure: builder =>
    {
        builder.Services.AddSingleton<IAdmissionRule>(_callerRule);
        builder.Services.AddSingleton<IAdmissionRule>(_modelRule);
    });

    public async Task DisposeAsync() => await _service.DisposeAsync();

    private Task<HttpResponseMessage> ClassifyAsync(string model)
    {
        var content = new ByteArrayContent(TestImages.Png(32, 32));
        content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        return _service.Client.PostAsync($"v1/models/{model}/classify", content);
    }

    [Fact]
    public async Task A_caller_rule_refuses_before_the_model_is_looked_up_and_a_model_rule_after()
    {
        // Start-up's request-path warm-up went through the rules too.
        lock (_callerRule.Seen)
            _callerRule.Seen.Clear();
        lock (_modelRule.Seen)
            _modelRule.Seen.Clear();
        _callerRule.RefuseWhen = r => r.Model == "unknown-but-refused-first";
        _modelRule.RefuseWhen = r => r.Model == "admitted";

        using var callerRefused = await ClassifyAsync("unknown-but-refused-first");
        using var modelRefused = await ClassifyAsync("admitted");
        using var unknown = await ClassifyAsync("unknown");

        // Refused by the caller rule: the unknown model's 404 never comes up.
        Assert.Equal(HttpStatusCode.TooManyRequests, callerRefused.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, modelRefused.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal([AdmissionStage.Caller, AdmissionStage.Caller, AdmissionStage.Caller], _callerRule.Seen.Select(s => s.Stage));
        // The model rule saw only the request that got past the caller rule and the model lookup, with its model.
        Assert.Equal("admitted", Assert.Single(_modelRule.Seen).Model);
    }

    private sealed class RefusingRule(AdmissionStage stage, string name) : IAdmissionRule
    {
        public Func<InferenceRequest, bool> RefuseWhen { get; set; } = _ => false;

        public List<(AdmissionStage Stage, string? Model)> Seen { get; } = [];

        public AdmissionStage Stage => stage;

        public void Admit(AdmissionContext context)
        {
            lock (Seen)
                Seen.Add((stage, context.Model?.Name));
            if (RefuseWhen(context.Request))
                throw new InferenceException(ErrorKind.QueueFull, $"Refused by {name}.");
        }
    }
}
