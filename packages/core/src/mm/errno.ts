/** errno values and glibc's strerror() texts for the ones the model returns. */
export const EPERM = 1;
export const ENOENT = 2;
export const EINTR = 4;
export const EBADF = 9;
export const EAGAIN = 11;
export const ENOMEM = 12;
export const EACCES = 13;
export const EFAULT = 14;
export const EBUSY = 16;
export const EEXIST = 17;
export const EINVAL = 22;
export const EOVERFLOW = 75;

const TEXT: Record<number, string> = {
  [EPERM]: "Operation not permitted",
  [ENOENT]: "No such file or directory",
  [EINTR]: "Interrupted system call",
  [EBADF]: "Bad file descriptor",
  [EAGAIN]: "Resource temporarily unavailable",
  [ENOMEM]: "Cannot allocate memory",
  [EACCES]: "Permission denied",
  [EFAULT]: "Bad address",
  [EBUSY]: "Device or resource busy",
  [EEXIST]: "File exists",
  [EINVAL]: "Invalid argument",
  [EOVERFLOW]: "Value too large for defined data type",
};
const NAME: Record<number, string> = {
  [EPERM]: "EPERM",
  [ENOENT]: "ENOENT",
  [EINTR]: "EINTR",
  [EBADF]: "EBADF",
  [EAGAIN]: "EAGAIN",
  [ENOMEM]: "ENOMEM",
  [EACCES]: "EACCES",
  [EFAULT]: "EFAULT",
  [EBUSY]: "EBUSY",
  [EEXIST]: "EEXIST",
  [EINVAL]: "EINVAL",
  [EOVERFLOW]: "EOVERFLOW",
};

/** strerror(errno), as glibc prints it. */
export function strerror(errno: number): string {
  return TEXT[errno] ?? `Unknown error ${errno}`;
}

export function errno_name(errno: number): string {
  return NAME[errno] ?? `E${errno}`;
}

/** A failing syscall, as user space sees it: -1 and errno. */
export class SyscallError extends Error {
  constructor(
    readonly syscall: string,
    readonly errno: number,
  ) {
    super(`${syscall}: ${errno_name(errno)} (${strerror(errno)})`);
  }
}
