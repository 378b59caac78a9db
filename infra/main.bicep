// UrlShortener on Azure: the function app (.NET isolated worker) with Cosmos DB, Service Bus, Redis, Key Vault,
// Application Insights, one user-assigned identity holding every role, local auth off wherever the service allows.
targetScope = 'resourceGroup'

@description('Prefix of every resource name.')
@minLength(3)
@maxLength(12)
param baseName string = 'urlshort'

param location string = resourceGroup().location

@description('FlexConsumption (default, scales to zero) or ElasticPremium (always warm).')
@allowed([ 'FlexConsumption', 'ElasticPremium' ])
param hostingPlan string = 'FlexConsumption'

@description('Most instances the app scales out to.')
param maximumInstanceCount int = 40

@description('Public base URL of short links (e.g. https://sho.rt, a custom domain); empty: the app\'s default host, https://<app>.azurewebsites.net.')
param baseUrl string = ''

@description('Key of the code permutation: long, random, never changed. Stored in Key Vault.')
@secure()
param codeSecret string

@description('API keys as [{ owner, keyHash (SHA-256 hex of the key), scopes: [links:write|links:read|stats:read] }]. Hashes only.')
@minLength(1)
param apiKeys array

param tags object = { app: 'urlshortener' }

@description('The azd service the function app is deployed as (azure.yaml).')
param serviceName string = 'api'

var token = toLower(uniqueString(resourceGroup().id, baseName))
var names = {
  identity: '${baseName}-id-${token}'
  logs: '${baseName}-logs-${token}'
  insights: '${baseName}-ai-${token}'
  storage: take(replace('${baseName}st${token}', '-', ''), 24)
  cosmos: '${baseName}-cosmos-${token}'
  serviceBus: '${baseName}-sb-${token}'
  redis: '${baseName}-redis-${token}'
  keyVault: take('${baseName}kv${token}', 24)
  plan: '${baseName}-plan-${token}'
  app: '${baseName}-${token}'
}
var databaseName = 'urlshortener'
var queueName = 'clicks'
var deploymentContainerName = 'app-package'

module identity 'modules/identity.bicep' = {
  name: 'identity'
  params: { name: names.identity, location: location, tags: tags }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: { logAnalyticsName: names.logs, appInsightsName: names.insights, location: location, tags: tags }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: { name: names.storage, location: location, tags: tags, deploymentContainerName: deploymentContainerName }
}

module cosmos 'modules/cosmos.bicep' = {
  name: 'cosmos'
  params: { name: names.cosmos, location: location, tags: tags, databaseName: databaseName }
}

module serviceBus 'modules/servicebus.bicep' = {
  name: 'serviceBus'
  params: { name: names.serviceBus, location: location, tags: tags, queueName: queueName }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyVault'
  params: { name: names.keyVault, location: location, tags: tags, codeSecret: codeSecret }
}

module redis 'modules/redis.bicep' = {
  name: 'redis'
  params: { name: names.redis, location: location, tags: tags, keyVaultName: keyVault.outputs.name, secretName: 'redis-connection-string' }
}

module roles 'modules/roles.bicep' = {
  name: 'roles'
  params: {
    principalId: identity.outputs.principalId
    storageName: storage.outputs.name
    serviceBusName: serviceBus.outputs.name
    keyVaultName: keyVault.outputs.name
    cosmosName: cosmos.outputs.name
    appInsightsName: names.insights
  }
  dependsOn: [ monitoring ]
}

// What the Functions host reads: its storage by identity (the timer's schedule and singleton lock live there).
var hostSettings = [
  { name: 'AzureWebJobsStorage__accountName', value: storage.outputs.name }
  { name: 'AzureWebJobsStorage__credential', value: 'managedidentity' }
  { name: 'AzureWebJobsStorage__clientId', value: identity.outputs.clientId }
  { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: monitoring.outputs.appInsightsConnectionString }
  { name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING', value: 'ClientId=${identity.outputs.clientId};Authorization=AAD' }
]

// What the app binds (README "Configuration"); secrets only as Key Vault references.
var keySettings = flatten(map(range(0, length(apiKeys)), i => concat(
  [
    { name: 'Auth__ApiKeys__${i}__Owner', value: apiKeys[i].owner }
    { name: 'Auth__ApiKeys__${i}__KeyHash', value: apiKeys[i].keyHash }
  ],
  map(range(0, length(apiKeys[i].scopes)), j => { name: 'Auth__ApiKeys__${i}__Scopes__${j}', value: apiKeys[i].scopes[j] }))))

var appSettings = concat([
  { name: 'AZURE_CLIENT_ID', value: identity.outputs.clientId }
  { name: 'Shortener__BaseUrl', value: empty(baseUrl) ? 'https://${names.app}.azurewebsites.net' : baseUrl }
  { name: 'Shortener__CodeSecret', value: '@Microsoft.KeyVault(SecretUri=${keyVault.outputs.codeSecretUri})' }
  { name: 'Cosmos__AccountEndpoint', value: cosmos.outputs.endpoint }
  { name: 'Cosmos__DatabaseName', value: databaseName }
  { name: 'Redis__ConnectionString', value: '@Microsoft.KeyVault(SecretUri=${redis.outputs.secretUri})' }
  { name: 'ServiceBus__FullyQualifiedNamespace', value: serviceBus.outputs.fullyQualifiedNamespace }
  { name: 'ServiceBus__QueueName', value: queueName }
], keySettings)

module functionApp 'modules/functionapp.bicep' = {
  name: 'functionApp'
  params: {
    name: names.app
    planName: names.plan
    location: location
    tags: union(tags, { 'azd-service-name': serviceName })
    hostingPlan: hostingPlan
    identityId: identity.outputs.id
    storageBlobEndpoint: storage.outputs.blobEndpoint
    deploymentContainerName: deploymentContainerName
    maximumInstanceCount: maximumInstanceCount
    hostSettings: hostSettings
    appSettings: appSettings
  }
  dependsOn: [ roles ]
}

output appName string = functionApp.outputs.name
output appUrl string = 'https://${functionApp.outputs.defaultHostName}'
