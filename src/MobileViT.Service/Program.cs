using MobileViT.Inference.Models;
using MobileViT.Service.Hosting;

var app = MobileViTApp.Create(args);
// Resolved before running: RunAsync disposes the service provider when the host stops.
var registry = app.Services.GetRequiredService<ModelRegistry>();
await app.RunAsync();
// A model that failed to load stopped the host; say so to the process supervisor.
return registry.AnyFailed ? 1 : 0;
