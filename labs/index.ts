/**
 * Every lab, in the order lessons use them. Add a lab: write `labs/<id>.ts` with
 * `defineLab({...})` and list it here; the lab self-test picks it up.
 */
import type { LabDefinition } from '../src/labs/schema';
import { designPrinciples } from './design-principles';
import { dns } from './dns';
import { dockerBridge } from './docker-bridge';
import { encapsulation } from './encapsulation';
import { ipv4Header } from './ipv4-header';
import { packets } from './packets';
import { pods } from './pods';
import { podToPodAcrossNodes } from './pod-to-pod-across-nodes';
import { podToPodSameNode } from './pod-to-pod-same-node';
import { serviceTypes } from './service-types';
import { threePools } from './three-pools';
import { kubeProxy } from './kube-proxy';
import { kubeProxyIpvs } from './kube-proxy-ipvs';
import { networkModel } from './network-model';
import { networkPolicy } from './network-policy';
import { networkPolicyFlannel } from './network-policy-flannel';
import { services } from './services';
import { ingress } from './ingress';
import { troubleshooting } from './troubleshooting';

export const LABS: readonly LabDefinition[] = [packets, ipv4Header, encapsulation, dockerBridge, pods, podToPodSameNode, podToPodAcrossNodes, threePools, networkModel, designPrinciples, services, kubeProxy, kubeProxyIpvs, serviceTypes, dns, ingress, networkPolicy, networkPolicyFlannel, troubleshooting];

export function findLab(id: string): LabDefinition | undefined {
  return LABS.find((l) => l.id === id);
}
