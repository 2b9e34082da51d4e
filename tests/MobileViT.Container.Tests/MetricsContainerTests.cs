using System.Net;
using MobileViT.Container.Tests.Infrastructure;

namespace MobileViT.Container.Tests;

/// <summary>
/// Prometheus scraping of the container (the observability feature's <c>/metrics</c>): the inference meter's series, per
/// model, once requests ran. The names the dashboard and autoscalers use are checked in <see cref="ManifestAgreementContainerTests"/>.
/// </summary>
public sealed class MetricsContainerTests(ServiceContainerFixture fixture) : IClassFixture<ServiceContainerFixture>
{
    [Fact]
    public async Task Metrics_endpoint_exposes_the_inference_series_in_prometheus_text_format()
    {
        var service = fixture.Service;
        using (var classify = await service.Http.PostAsync("/v1/classify?topK=1", TestJpeg.Content()))
            Assert.Equal(HttpStatusCode.OK, classify.StatusCode);

        using var response = await service.Http.GetAsync("/metrics");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"/metrics answered {(int)response.StatusCode}: {ServiceImage.Tail(text, 500)}");
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("# TYPE mobilevit_", text);
        Assert.Contains($"model=\"{ServiceContainer.ModelName}\"", text);
    }
}
