/**
 * Pods and pod templates as the API server validates them (ValidatePodSpec and
 * ValidatePodTemplateSpec in pkg/apis/core/validation/validation.go): containers (name a
 * unique RFC 1123 label, image required and without surrounding spaces, ports), volumes
 * (unique label names), restartPolicy and dnsPolicy enums, nodeSelector as labels, hostname
 * and subdomain as labels, dnsConfig with dnsPolicy None; and the update rule of a pod (only
 * images may change among the fields the sandbox keeps).
 *
 * Design notes: the checks run on the manifest after defaulting (restartPolicy Always,
 * dnsPolicy ClusterFirst, protocol TCP). Left out: resources, probes, security contexts,
 * affinity, tolerations and init containers are not validated (the sandbox does not model
 * them).
 */
import { duplicate, forbidden, invalid, notSupported, required, type FieldError } from './field';
import { isObj, listAt, objAt, stringMap, strAt, validateAnnotations, validateLabels, validateObjectMeta, type Obj } from './meta';
import { isDns1123Label, nameIsDnsSubdomain } from './names';
import { validateContainerPorts } from './ports';

const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
const DNS_POLICIES = ['ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None'];

function validateContainers(list: unknown, field: string): FieldError[] {
  const containers = Array.isArray(list) ? list : [];
  if (containers.length === 0) return [required(field)];
  const errs: FieldError[] = [];
  const names = new Set<string>();
  containers.forEach((c, i) => {
    const ctr = isObj(c) ? c : {};
    const at = `${field}[${i}]`;
    const name = strAt(ctr, 'name');
    if (!name) errs.push(required(`${at}.name`));
    else errs.push(...isDns1123Label(name).map((m) => invalid(`${at}.name`, name, m)));
    if (name && names.has(name)) errs.push(duplicate(`${at}.name`, name));
    names.add(name);
    const image = strAt(ctr, 'image');
    if (!image) errs.push(required(`${at}.image`));
    else if (image !== image.trim()) errs.push(invalid(`${at}.image`, image, 'must not have leading or trailing whitespace'));
    errs.push(...validateContainerPorts(listAt(ctr, 'ports'), `${at}.ports`));
    listAt(ctr, 'env').forEach((e, j) => {
      if (!isObj(e) || !strAt(e, 'name')) errs.push(required(`${at}.env[${j}].name`));
    });
  });
  return errs;
}

function validateVolumes(list: unknown[], field: string): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  list.forEach((v, i) => {
    const vol = isObj(v) ? v : {};
    const name = strAt(vol, 'name');
    if (!name) errs.push(required(`${field}[${i}].name`));
    else errs.push(...isDns1123Label(name).map((m) => invalid(`${field}[${i}].name`, name, m)));
    if (name && names.has(name)) errs.push(duplicate(`${field}[${i}].name`, name));
    names.add(name);
  });
  return errs;
}

/** ValidatePodSpec, for the fields the sandbox keeps. */
export function validatePodSpec(spec: Obj, field: string): FieldError[] {
  const errs: FieldError[] = [];
  errs.push(...validateVolumes(listAt(spec, 'volumes'), `${field}.volumes`));
  errs.push(...validateContainers(spec.containers, `${field}.containers`));
  if (spec.restartPolicy !== undefined) {
    const rp = strAt(spec, 'restartPolicy');
    if (rp === '') errs.push(required(`${field}.restartPolicy`));
    else if (!RESTART_POLICIES.includes(rp)) errs.push(notSupported(`${field}.restartPolicy`, rp, RESTART_POLICIES));
  }
  if (spec.dnsPolicy !== undefined) {
    const dp = strAt(spec, 'dnsPolicy');
    if (!DNS_POLICIES.includes(dp)) errs.push(notSupported(`${field}.dnsPolicy`, dp, DNS_POLICIES));
  }
  errs.push(...validateLabels(stringMap(spec.nodeSelector), `${field}.nodeSelector`));
  for (const f of ['hostname', 'subdomain']) {
    const v = strAt(spec, f);
    if (v) errs.push(...isDns1123Label(v).map((m) => invalid(`${field}.${f}`, v, m)));
  }
  if (spec.dnsPolicy === 'None') {
    if (!isObj(spec.dnsConfig)) errs.push(required(`${field}.dnsConfig`, 'must provide `dnsConfig` when `dnsPolicy` is None'));
    else if (listAt(spec.dnsConfig, 'nameservers').length === 0) errs.push(required(`${field}.dnsConfig.nameservers`, 'must provide at least one DNS nameserver when `dnsPolicy` is None'));
  }
  return errs;
}

/** A pod template: its labels and annotations, then its spec. */
export function validatePodTemplate(tpl: Obj, field: string): FieldError[] {
  const meta = objAt(tpl, 'metadata');
  return [
    ...validateLabels(stringMap(meta.labels), `${field}.metadata.labels`),
    ...validateAnnotations(stringMap(meta.annotations), `${field}.metadata.annotations`),
    ...validatePodSpec(objAt(tpl, 'spec'), `${field}.spec`),
  ];
}

export function validatePod(obj: Obj): FieldError[] {
  return [...validateObjectMeta(objAt(obj, 'metadata'), { nameCheck: nameIsDnsSubdomain, namespaced: true }), ...validatePodSpec(objAt(obj, 'spec'), 'spec')];
}

export const POD_UPDATE_FORBIDDEN =
  'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

/** The update rule: a pod's spec may change only its images (the sandbox compares the fields it keeps). */
export function validatePodUpdate(changedBeyondImages: boolean): FieldError[] {
  return changedBeyondImages ? [forbidden('spec', POD_UPDATE_FORBIDDEN)] : [];
}
