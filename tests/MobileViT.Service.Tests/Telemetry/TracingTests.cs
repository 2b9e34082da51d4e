using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using MobileViT.Service.Tests.Infrastructure;
using OpenTelemetry.Trace;

namespace MobileViT.Service.Tests.Telemetry;

/// <summary>The service's traces, captured with OpenTelemetry's in-memory exporter added to the real composition.</summary>
public sealed class TracingTests
{
    [Fact]
    public async Task Each_request_has_preprocess_and_queue_wait_spans_and_the_batch_span_links_to_every_request_it_served()
    {
        var spans = new List<Activity>();
        const int requests = 12;
        // Activity listeners are process-wide, so spans of services other tests run concurrently arrive here too; a model
        // name of its own tells this test's spans apart.
        var service = await RunningService.StartAsync(new Dictionary<string, string>(RunningService.SmallModel(name: "traced"))
            {
                // One instance and a queue delay, so that concurrent requests share batches.
                ["MobileViT:Execution:Instances"] = "1",
                ["MobileViT:Batching:MaxQueueDelayMs"] = "100",
                // Only this test's requests: no start-up requests through the request path.
                ["MobileViT:WarmUp:RequestPath"] = "false",
            },
            configure: builder => builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(spans)));
        try
        {
            var responses = await Task.WhenAll(Enumerable.Range(0, requests).Select(i =>
            {
                var content = new ByteArrayContent(TestImages.Png(48, 48, seed: i));
                content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
                return service.Client.PostAsync("v1/models/traced/classify", content);
            }));
            Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        }
        finally
        {
            // Stopping drains the batcher, so every batch span has ended and been exported when this returns.
            await service.DisposeAsync();
        }

        var classify = spans.Where(s => s.DisplayName == "classify traced").ToList();
        var batches = spans.Where(s => s.DisplayName == "batch traced").ToList();
        Assert.Equal(requests, classify.Count);

        foreach (var request in classify)
        {
            // Under the ASP.NET Core server span of its HTTP request.
            var server = Assert.Single(spans, s => s.SpanId == request.ParentSpanId);
            Assert.Equal(ActivityKind.Server, server.Kind);
            Assert.Equal(request.TraceId, server.TraceId);

            var preprocess = Assert.Single(spans, s => s.DisplayName == "preprocess" && s.ParentSpanId == request.SpanId);
            var queueWait = Assert.Single(spans, s => s.DisplayName == "queue wait" && s.ParentSpanId == request.SpanId);
            Assert.Equal(request.TraceId, queueWait.TraceId);
            // On CPU the worker that takes an image from the queue preprocesses it, so its wait comes first.
            Assert.True(preprocess.StartTimeUtc >= queueWait.StartTimeUtc + queueWait.Duration - TimeSpan.FromMilliseconds(1),
                "the image is preprocessed after its queue wait");
            Assert.True(preprocess.StartTimeUtc + preprocess.Duration <= request.StartTimeUtc + request.Duration + TimeSpan.FromMilliseconds(1));

            // Exactly one batch ran it, and that batch span links to it.
            Assert.Single(batches, b => b.Links.Any(l => l.Context.SpanId == request.SpanId && l.Context.TraceId == request.TraceId));
        }

        foreach (var batch in batches)
        {
            // Links to every request span it served, and to nothing else.
            Assert.Equal(batch.GetTagItem("mobilevit.batch.size"), batch.Links.Count());
            Assert.All(batch.Links, l => Assert.Contains(classify, r => r.SpanId == l.Context.SpanId));
            // A batch is its own trace: it serves requests from several.
            Assert.DoesNotContain(classify, r => r.TraceId == batch.TraceId);
        }
        Assert.Equal(requests, batches.Sum(b => b.Links.Count()));
        Assert.Contains(batches, b => b.Links.Count() > 1);
    }
}
