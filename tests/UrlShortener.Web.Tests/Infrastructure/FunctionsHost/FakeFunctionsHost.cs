using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Template;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using UrlShortener.Web.Tests.Infrastructure.FunctionsHost.Rpc;
using GrpcException = Grpc.Core.RpcException;

namespace UrlShortener.Web.Tests.Infrastructure.FunctionsHost;

/// <summary>
/// A FAKE Azure Functions host (the real one cannot run here): a gRPC server for <c>FunctionRpc.EventStream</c>
/// that launches a published isolated worker as the host does, initializes it, loads every function of the
/// worker's own metadata, and invokes them. HTTP goes as the host sends it to a worker with ASP.NET Core
/// integration: the request forwarded to the worker's <c>HttpUri</c> with <c>x-ms-invocation-id</c>, and at
/// the same time an <c>InvocationRequest</c>. Messages follow azure-functions-host's GrpcWorkerChannel.
/// </summary>
public sealed class FakeFunctionsHost : IAsyncDisposable
{
    public const string HostVersion = "4.1040.300.0";

    private const string InvocationIdHeader = "x-ms-invocation-id";

    private readonly WebApplication _server;
    private readonly Process _worker;
    private readonly StringBuilder _output = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource<StreamingMessage>> _pending = new();
    private readonly TaskCompletionSource<EventStreamCall> _stream = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly HttpMessageInvoker _toWorker = new(new RetryProxyHandler(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }));
    private bool _killed;
    private WebApplication? _front;
    private List<(RouteTemplate Route, TemplateMatcher Matcher, HashSet<string> Methods, LoadedFunction Function)> _routes = [];

    private FakeFunctionsHost(WebApplication server, Process worker)
    {
        _server = server;
        _worker = worker;
    }

    /// <summary>The worker's own Kestrel address, from its WorkerInitResponse capabilities.</summary>
    public Uri HttpUri { get; private set; } = null!;

    /// <summary>Every function the worker declared, as loaded.</summary>
    public IReadOnlyList<LoadedFunction> Functions { get; private set; } = [];

    public IReadOnlyDictionary<string, string> WorkerCapabilities { get; private set; } = new Dictionary<string, string>();

    /// <summary>From the worker's launch to its WorkerInitResponse, and to the first answered HTTP invocation.</summary>
    public TimeSpan InitializedAfter { get; private set; }

    public ConcurrentQueue<RpcLog> Logs { get; } = new();

    public int WorkerProcessId => _worker.Id;

    public bool WorkerExited => _worker.HasExited;

    public string WorkerOutput
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>
    /// Starts the fake host and the worker in <paramref name="appDirectory"/> (a publish folder) with the app
    /// settings <paramref name="settings"/> as environment variables, as the host passes them.
    /// </summary>
    public static async Task<FakeFunctionsHost> StartAsync(string appDirectory, IReadOnlyDictionary<string, string?> settings, string homeDirectory)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, o => o.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc(o => o.MaxReceiveMessageSize = null);
        var hostReference = new HostReference();
        builder.Services.AddSingleton(hostReference);
        var server = builder.Build();
        server.MapGrpcService<EventStreamService>();
        await server.StartAsync();
        var address = new Uri(server.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

        var workerId = Guid.NewGuid().ToString();
        var requestId = Guid.NewGuid().ToString();
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = appDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };

        // The arguments the host gives a dotnet-isolated worker: worker 2.x reads the --functions-* ones.
        string[] arguments =
        [
            Path.Combine(appDirectory, "UrlShortener.Functions.dll"),
            "--host", address.Host, "--port", address.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--workerId", workerId, "--requestId", requestId, "--grpcMaxMessageLength", "2147483647",
            "--functions-uri", address.ToString(), "--functions-worker-id", workerId,
            "--functions-request-id", requestId, "--functions-grpc-max-message-length", "2147483647",
        ];
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment.Remove("ASPNETCORE_ENVIRONMENT");
        start.Environment.Remove("DOTNET_ENVIRONMENT");
        start.Environment["FUNCTIONS_WORKER_RUNTIME"] = "dotnet-isolated";
        start.Environment["FUNCTIONS_APPLICATION_DIRECTORY"] = appDirectory;
        start.Environment["FUNCTIONS_WORKER_DIRECTORY"] = appDirectory;
        start.Environment["AzureWebJobsScriptRoot"] = appDirectory;
        start.Environment["HOME"] = homeDirectory;
        foreach (var (name, value) in settings)
        {
            if (value is not null)
            {
                start.Environment[name.Replace(":", "__", StringComparison.Ordinal)] = value;
            }
        }

        var launched = Stopwatch.StartNew();
        var worker = Process.Start(start)!;
        var host = new FakeFunctionsHost(server, worker);
        hostReference.Host = host;
        worker.OutputDataReceived += (_, e) => host.Append(e.Data);
        worker.ErrorDataReceived += (_, e) => host.Append(e.Data);
        worker.BeginOutputReadLine();
        worker.BeginErrorReadLine();
        try
        {
            await host.InitializeAsync(appDirectory, workerId).WaitAsync(TimeSpan.FromSeconds(60));
            host.InitializedAfter = launched.Elapsed;
            return host;
        }
        catch (Exception exception)
        {
            var output = host.WorkerOutput;
            await host.DisposeAsync();
            throw new InvalidOperationException($"The worker did not start under the fake host ({exception.Message}). Its output:\n{output}", exception);
        }
    }

    /// <summary>A handler that sends each request the way the host does: route to a function, forward, invoke.</summary>
    public HttpMessageHandler CreateHandler() => new ForwardingHandler(this);

    /// <summary>
    /// Serves the host's HTTP side on a loopback port (HTTP/1.1), for load tools: each request goes through
    /// <see cref="CreateHandler"/>'s path. The benchmark harness measures the worker through it; the dashboard's
    /// browser tests pick <paramref name="port"/> first, so that the worker's base URL can name it.
    /// </summary>
    public async Task<Uri> ServeHttpAsync(int port = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        var front = builder.Build();
        front.Run(async context =>
        {
            var uri = new Uri($"http://{context.Request.Host}{context.Request.Path}{context.Request.QueryString}");
            using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), uri);
            if (context.Request.ContentLength > 0 || context.Request.Headers.TransferEncoding.Count > 0)
            {
                request.Content = new StreamContent(context.Request.Body);
            }

            foreach (var header in context.Request.Headers)
            {
                if (!request.Headers.TryAddWithoutValidation(header.Key, (IEnumerable<string>)header.Value))
                {
                    request.Content?.Headers.TryAddWithoutValidation(header.Key, (IEnumerable<string>)header.Value);
                }
            }

            using var response = await SendHttpAsync(request, context.RequestAborted);
            context.Response.StatusCode = (int)response.StatusCode;
            foreach (var header in response.Headers.Concat(response.Content.Headers))
            {
                if (!string.Equals(header.Key, "Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
                {
                    context.Response.Headers[header.Key] = header.Value.ToArray();
                }
            }

            await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
        });
        await front.StartAsync();
        _front = front;
        return new Uri(front.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }

    /// <summary>Invokes the timer-triggered function <paramref name="functionName"/> once, as a schedule occurrence would.</summary>
    public async Task<InvocationResponse> InvokeTimerAsync(string functionName, CancellationToken cancellationToken = default)
    {
        var function = Functions.Single(f => f.Name == functionName);
        var trigger = function.Bindings.Single(b => b.Type == "timerTrigger");
        var now = DateTimeOffset.UtcNow;
        var timerInfo = JsonSerializer.Serialize(new
        {
            Schedule = new { AdjustForDST = true },
            ScheduleStatus = new { Last = now.AddSeconds(-10), Next = now.AddSeconds(10), LastUpdated = now.AddSeconds(-10) },
            IsPastDue = false,
        });
        var request = NewInvocation(function);
        request.InputData.Add(new ParameterBinding { Name = trigger.Name, Data = new TypedData { Json = timerInfo } });
        return await InvokeAsync(request, cancellationToken);
    }

    /// <summary>Ends the worker as the host does (WorkerTerminate with a grace period), then for good.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stream.Task.IsCompletedSuccessfully && !_killed && !_worker.HasExited)
        {
            try
            {
                await _stream.Task.Result.WriteAsync(new StreamingMessage { WorkerTerminate = new WorkerTerminate { GracePeriod = Duration.FromTimeSpan(TimeSpan.FromSeconds(5)) } });
                await _worker.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
            catch (Exception exception) when (exception is TimeoutException or InvalidOperationException or IOException or GrpcException)
            {
                // Killed below.
            }
        }

        Kill();
        if (_front is not null)
        {
            await _front.DisposeAsync();
        }

        _worker.Dispose();
        _toWorker.Dispose();
        await _server.StopAsync();
        await _server.DisposeAsync();
    }

    /// <summary>Ends the worker at once, as a crash or a recycled instance would.</summary>
    public void Kill()
    {
        if (!_killed && !_worker.HasExited)
        {
            _worker.Kill(entireProcessTree: true);
            _worker.WaitForExit();
        }

        _killed = true;
    }

    private async Task InitializeAsync(string appDirectory, string workerId)
    {
        var call = await _stream.Task;
        if (call.WorkerId != workerId)
        {
            throw new InvalidOperationException($"StartStream came from worker {call.WorkerId}, not {workerId}.");
        }

        // GrpcWorkerChannel.GetWorkerInitRequest, and the capabilities SendWorkerInitRequest adds.
        var init = new WorkerInitRequest
        {
            HostVersion = HostVersion,
            WorkerDirectory = appDirectory,
            FunctionAppDirectory = appDirectory,
        };
        init.Capabilities.Add("MultiStream", "10");
        var initResponse = (await RequestAsync(new StreamingMessage { WorkerInitRequest = init }, StreamingMessage.ContentOneofCase.WorkerInitResponse)).WorkerInitResponse;
        ThrowIfFailed(initResponse.Result, "WorkerInitRequest");
        WorkerCapabilities = initResponse.Capabilities.ToDictionary();
        HttpUri = new Uri(initResponse.Capabilities.TryGetValue("HttpUri", out var httpUri)
            ? httpUri
            : throw new InvalidOperationException("The worker did not announce HttpUri: ASP.NET Core integration is off."));

        var metadata = (await RequestAsync(
            new StreamingMessage { FunctionsMetadataRequest = new FunctionsMetadataRequest { FunctionAppDirectory = appDirectory } },
            StreamingMessage.ContentOneofCase.FunctionMetadataResponse)).FunctionMetadataResponse;
        ThrowIfFailed(metadata.Result, "FunctionsMetadataRequest");

        var loaded = new List<LoadedFunction>();
        foreach (var function in metadata.FunctionMetadataResults)
        {
            var functionId = string.IsNullOrEmpty(function.FunctionId) ? Guid.NewGuid().ToString() : function.FunctionId;
            var bindings = function.RawBindings.Select(raw => FunctionBinding.Parse(raw)).ToList();

            // GrpcWorkerChannel.GetFunctionLoadRequest: the function's name, directory, entry point, script, bindings.
            var load = new FunctionLoadRequest
            {
                FunctionId = functionId,
                Metadata = new RpcFunctionMetadata
                {
                    Name = function.Name,
                    Directory = string.IsNullOrEmpty(function.Directory) ? appDirectory : function.Directory,
                    EntryPoint = function.EntryPoint,
                    ScriptFile = function.ScriptFile,
                    IsProxy = false,
                },
            };
            foreach (var binding in bindings)
            {
                load.Metadata.Bindings.Add(binding.Name, new BindingInfo
                {
                    Type = binding.Type,
                    Direction = binding.Direction == "out" ? BindingInfo.Types.Direction.Out : BindingInfo.Types.Direction.In,
                });
            }

            var loadedResponse = (await RequestAsync(new StreamingMessage { FunctionLoadRequest = load }, StreamingMessage.ContentOneofCase.FunctionLoadResponse, functionId)).FunctionLoadResponse;
            ThrowIfFailed(loadedResponse.Result, $"FunctionLoadRequest for {function.Name}");
            loaded.Add(new LoadedFunction(functionId, function.Name, function.EntryPoint, bindings));
        }

        Functions = loaded;

        // The host's HTTP routes: literal segments before parameters, as ASP.NET Core's routing orders them.
        var routePrefix = RoutePrefix(appDirectory);
        _routes = loaded
            .SelectMany(f => f.Bindings.Where(b => b.Type == "httpTrigger").Select(b => (Function: f, Binding: b)))
            .Select(x =>
            {
                var template = TemplateParser.Parse(string.IsNullOrEmpty(routePrefix) ? x.Binding.Route ?? x.Function.Name : $"{routePrefix}/{x.Binding.Route ?? x.Function.Name}");
                return (template, new TemplateMatcher(template, new RouteValueDictionary()), x.Binding.Methods.ToHashSet(StringComparer.OrdinalIgnoreCase), x.Function);
            })
            .OrderBy(r => RoutePrecedence.ComputeInbound(r.template))
            .ToList();
    }

    private static string RoutePrefix(string appDirectory)
    {
        using var hostJson = JsonDocument.Parse(File.ReadAllText(Path.Combine(appDirectory, "host.json")));
        return hostJson.RootElement.TryGetProperty("extensions", out var extensions)
            && extensions.TryGetProperty("http", out var http)
            && http.TryGetProperty("routePrefix", out var prefix)
            ? prefix.GetString()!.Trim('/')
            : "api";
    }

    private static void ThrowIfFailed(StatusResult result, string what)
    {
        if (result.Status != StatusResult.Types.Status.Success)
        {
            throw new InvalidOperationException($"{what} failed: {result.Exception?.Message ?? result.Result}");
        }
    }

    private static InvocationRequest NewInvocation(LoadedFunction function)
    {
        // The worker needs a trace context on every invocation; the host always sends one.
        var traceParent = $"00-{ActivityTraceId.CreateRandom()}-{ActivitySpanId.CreateRandom()}-00";
        return new InvocationRequest
        {
            InvocationId = Guid.NewGuid().ToString(),
            FunctionId = function.FunctionId,
            TraceContext = new RpcTraceContext { TraceParent = traceParent, TraceState = string.Empty },
            RetryContext = null,
        };
    }

    private async Task<InvocationResponse> InvokeAsync(InvocationRequest request, CancellationToken cancellationToken)
    {
        var response = await RequestAsync(new StreamingMessage { InvocationRequest = request }, StreamingMessage.ContentOneofCase.InvocationResponse, request.InvocationId);
        return response.InvocationResponse;
    }

    private async Task<HttpResponseMessage> SendHttpAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var path = request.RequestUri!.AbsolutePath.Trim('/');
        var values = new RouteValueDictionary();
        var match = _routes.FirstOrDefault(r => r.Methods.Contains(request.Method.Method) && r.Matcher.TryMatch("/" + path, values = new RouteValueDictionary()));
        if (match.Function is null)
        {
            return new HttpResponseMessage(HttpStatusCode.NotFound) { RequestMessage = request };
        }

        var trigger = match.Function.Bindings.Single(b => b.Type == "httpTrigger");
        var invocation = NewInvocation(match.Function);
        var http = new RpcHttp { Method = request.Method.Method, Url = request.RequestUri.ToString() };
        foreach (var header in request.Headers.Concat(request.Content?.Headers ?? Enumerable.Empty<KeyValuePair<string, IEnumerable<string>>>()))
        {
            http.Headers[header.Key.ToLowerInvariant()] = string.Join(", ", header.Value);
        }

        foreach (var (name, value) in values)
        {
            http.Params[name] = value?.ToString() ?? string.Empty;
            invocation.TriggerMetadata[name] = new TypedData { String = value?.ToString() ?? string.Empty };
        }

        if (!WorkerCapabilities.ContainsKey("RpcHttpTriggerMetadataRemoved"))
        {
            invocation.TriggerMetadata["Headers"] = new TypedData { Json = JsonSerializer.Serialize(http.Headers) };
            invocation.TriggerMetadata["Query"] = new TypedData { Json = JsonSerializer.Serialize(System.Web.HttpUtility.ParseQueryString(request.RequestUri.Query).AllKeys.Where(k => k is not null).ToDictionary(k => k!, k => System.Web.HttpUtility.ParseQueryString(request.RequestUri.Query)[k])) };
        }

        invocation.InputData.Add(new ParameterBinding { Name = trigger.Name, Data = new TypedData { Http = http } });

        // DefaultHttpProxyService.StartForwarding: the request goes to the worker, with the invocation's id, before the invocation.
        var forwarded = new HttpRequestMessage(request.Method, new Uri(HttpUri, request.RequestUri.PathAndQuery)) { Content = request.Content, Version = request.Version };
        foreach (var header in request.Headers)
        {
            forwarded.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        forwarded.Headers.TryAddWithoutValidation(InvocationIdHeader, invocation.InvocationId);
        forwarded.Headers.Host = request.RequestUri.Authority;
        var answer = _toWorker.SendAsync(forwarded, cancellationToken);
        var invoked = InvokeAsync(invocation, cancellationToken);
        var response = await answer;
        var result = await invoked;
        if (result.Result.Status != StatusResult.Types.Status.Success)
        {
            response.Headers.TryAddWithoutValidation("x-fake-host-invocation-failed", result.Result.Exception?.Message ?? "failure");
        }

        response.RequestMessage = request;
        return response;
    }

    private async Task<StreamingMessage> RequestAsync(StreamingMessage message, StreamingMessage.ContentOneofCase answer, string? key = null)
    {
        var call = await _stream.Task;
        var pending = new TaskCompletionSource<StreamingMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        var pendingKey = $"{answer}:{key}";
        if (!_pending.TryAdd(pendingKey, pending))
        {
            throw new InvalidOperationException($"A {answer} for '{key}' is already awaited.");
        }

        await call.WriteAsync(message);
        return await pending.Task.WaitAsync(TimeSpan.FromSeconds(120));
    }

    private void Receive(StreamingMessage message)
    {
        var key = message.ContentCase switch
        {
            StreamingMessage.ContentOneofCase.FunctionLoadResponse => message.FunctionLoadResponse.FunctionId,
            StreamingMessage.ContentOneofCase.InvocationResponse => message.InvocationResponse.InvocationId,
            _ => null,
        };
        if (message.ContentCase == StreamingMessage.ContentOneofCase.RpcLog)
        {
            Logs.Enqueue(message.RpcLog);
            return;
        }

        if (_pending.TryRemove($"{message.ContentCase}:{key}", out var pending))
        {
            pending.TrySetResult(message);
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    /// <summary>One function as loaded: its id, name and bindings (from the worker's raw bindings).</summary>
    public sealed record LoadedFunction(string FunctionId, string Name, string EntryPoint, IReadOnlyList<FunctionBinding> Bindings);

    /// <summary>One binding of a function, read from its JSON as the host reads function metadata.</summary>
    public sealed record FunctionBinding(string Name, string Type, string Direction, string? Route, IReadOnlyList<string> Methods, string? Schedule, string? AuthLevel)
    {
        public static FunctionBinding Parse(string json)
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            string? Text(string name) => root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
            var methods = root.TryGetProperty("methods", out var m) && m.ValueKind == JsonValueKind.Array
                ? m.EnumerateArray().Select(e => e.GetString()!.ToUpperInvariant()).ToList()
                : [];
            return new FunctionBinding(Text("name")!, Text("type")!, Text("direction") ?? "in", Text("route"), methods, Text("schedule"), Text("authLevel"));
        }
    }

    private sealed class HostReference
    {
        public FakeFunctionsHost? Host { get; set; }
    }

    /// <summary>The open stream to the worker: writes one at a time, as gRPC requires.</summary>
    private sealed class EventStreamCall(string workerId, IServerStreamWriter<StreamingMessage> writer) : IDisposable
    {
        private readonly SemaphoreSlim _writing = new(1, 1);

        public string WorkerId { get; } = workerId;

        public async Task WriteAsync(StreamingMessage message)
        {
            await _writing.WaitAsync();
            try
            {
                await writer.WriteAsync(message);
            }
            finally
            {
                _writing.Release();
            }
        }

        public void Dispose() => _writing.Dispose();
    }

    private sealed class EventStreamService(HostReference reference) : FunctionRpc.FunctionRpcBase
    {
        public override async Task EventStream(IAsyncStreamReader<StreamingMessage> requestStream, IServerStreamWriter<StreamingMessage> responseStream, ServerCallContext context)
        {
            var host = reference.Host ?? throw new InvalidOperationException("No fake host.");
            if (!await requestStream.MoveNext(context.CancellationToken) || requestStream.Current.ContentCase != StreamingMessage.ContentOneofCase.StartStream)
            {
                throw new InvalidOperationException("A worker's first message must be StartStream.");
            }

            host._stream.TrySetResult(new EventStreamCall(requestStream.Current.StartStream.WorkerId, responseStream));
            try
            {
                while (await requestStream.MoveNext(context.CancellationToken))
                {
                    host.Receive(requestStream.Current);
                }
            }
            catch (Exception exception) when (exception is IOException or OperationCanceledException or GrpcException)
            {
                // The worker went away.
            }
        }
    }

    /// <summary>As the host's RetryProxyHandler: the worker's Kestrel may not listen yet when it announces HttpUri.</summary>
    private sealed class RetryProxyHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        private const int MaxRetries = 10;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var delay = 50;
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    return await base.SendAsync(request, cancellationToken);
                }
                catch (HttpRequestException) when (attempt < MaxRetries)
                {
                    await Task.Delay(delay, cancellationToken);
                    delay = Math.Min(delay * 2, 250);
                }
            }
        }
    }

    private sealed class ForwardingHandler(FakeFunctionsHost host) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            host.SendHttpAsync(request, cancellationToken);
    }
}
