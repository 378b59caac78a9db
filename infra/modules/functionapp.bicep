// The function app: the .NET isolated worker on Flex Consumption, or on Elastic Premium.
param name string
param planName string
param location string
param tags object
@allowed([ 'FlexConsumption', 'ElasticPremium' ])
param hostingPlan string
param identityId string
param storageBlobEndpoint string
param deploymentContainerName string
param maximumInstanceCount int
@description('App settings of the app itself; the host settings are added here.')
param appSettings array
param hostSettings array

var flex = hostingPlan == 'FlexConsumption'

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: flex ? 'functionapp' : 'elastic'
  sku: flex ? { name: 'FC1', tier: 'FlexConsumption' } : { name: 'EP1', tier: 'ElasticPremium' }
  properties: {
    reserved: true
    maximumElasticWorkerCount: flex ? null : maximumInstanceCount
  }
}

// Flex takes the worker from functionAppConfig.runtime (written "10.0": "10" fails at host start); Elastic Premium
// from FUNCTIONS_WORKER_RUNTIME and linuxFxVersion.
var planSettings = flex ? [] : [
  { name: 'FUNCTIONS_WORKER_RUNTIME', value: 'dotnet-isolated' }
  { name: 'FUNCTIONS_EXTENSION_VERSION', value: '~4' }
]

resource app 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: tags
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identityId}': {} }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identityId
    functionAppConfig: flex ? {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storageBlobEndpoint}${deploymentContainerName}'
          authentication: { type: 'UserAssignedIdentity', userAssignedIdentityResourceId: identityId }
        }
      }
      scaleAndConcurrency: { maximumInstanceCount: maximumInstanceCount, instanceMemoryMB: 2048 }
      runtime: { name: 'dotnet-isolated', version: '10.0' }
    } : null
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      linuxFxVersion: flex ? null : 'DOTNET-ISOLATED|10.0'
      appSettings: concat(hostSettings, planSettings, appSettings)
    }
  }
}

output name string = app.name
output defaultHostName string = app.properties.defaultHostName
