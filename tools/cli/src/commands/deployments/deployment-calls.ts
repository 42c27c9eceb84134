import { create } from '@bufbuild/protobuf';
import { status, type Client } from '@mlops/grpc';
import { DeploymentSchema, type Deployment, type RouterService } from '@mlops/proto/mlops/router/v1/router_pb';
import { rpcStatusOf } from '../../framework/errors.js';

/** The model's deployment, or a new empty one (revision 0) when it has none yet. */
export async function currentDeployment(router: Client<typeof RouterService>, model: string): Promise<Deployment> {
  try {
    const { deployment } = await router.getDeployment({ model });
    if (deployment) return deployment;
  } catch (err) {
    if (rpcStatusOf(err) !== status.NOT_FOUND) throw err;
  }
  return create(DeploymentSchema, { model });
}

/**
 * Applies `change` to the current deployment and saves it, based on the revision read (the
 * router refuses the write if someone changed the deployment in between: exit 1, nothing lost).
 */
export async function updateDeployment(
  router: Client<typeof RouterService>,
  model: string,
  reason: string,
  change: (deployment: Deployment) => void,
): Promise<Deployment> {
  const deployment = await currentDeployment(router, model);
  const expectedRevision = deployment.revision;
  change(deployment);
  const response = await router.setDeployment({ deployment, reason, expectedRevision });
  if (!response.deployment) throw new Error('the router returned no deployment');
  return response.deployment;
}
