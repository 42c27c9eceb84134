export { chi2Contingency, type Chi2Error, type Chi2Outcome, type Chi2Result } from './chi2.js';
export { jensenShannon } from './jensen-shannon.js';
export { KS_MAX_EXACT_N, ks2samp, ksStatistic, ksTwoSamplePValue, roundHalfEven, type KsMethod, type KsResult } from './ks.js';
export { kolmogn, kolmogorov, smirnov } from './kolmogorov.js';
export { PSI_EMPTY_SHARE, binIndex, psi, psiOfSamples, quantilesOfSorted } from './psi.js';
export { chi2Sf, logBinomial, logGamma, regularizedGammaP, regularizedGammaQ } from './special.js';
export { wassersteinDistance, type WeightedSample } from './wasserstein.js';
