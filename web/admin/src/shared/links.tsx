/** Mantine's anchor and navigation link as TanStack Router links (typed routes, preloading). */
import { Anchor, type AnchorProps, NavLink, type NavLinkProps } from '@mantine/core';
import { createLink, type LinkComponent } from '@tanstack/react-router';
import type { AnchorHTMLAttributes, Ref } from 'react';

type AnchorElementProps = AnchorProps &
  AnchorHTMLAttributes<HTMLAnchorElement> & { ref?: Ref<HTMLAnchorElement> };
function RouterAnchorBase(props: AnchorElementProps) {
  return <Anchor component="a" {...props} />;
}
const CreatedAnchor = createLink(RouterAnchorBase);
export const AnchorLink: LinkComponent<typeof RouterAnchorBase> = (props) => (
  <CreatedAnchor preload="intent" {...props} />
);

type NavLinkElementProps = NavLinkProps &
  AnchorHTMLAttributes<HTMLAnchorElement> & { ref?: Ref<HTMLAnchorElement> };
function RouterNavLinkBase(props: NavLinkElementProps) {
  return <NavLink component="a" {...props} />;
}
const CreatedNavLink = createLink(RouterNavLinkBase);
export const NavLinkLink: LinkComponent<typeof RouterNavLinkBase> = (props) => (
  <CreatedNavLink preload="intent" {...props} />
);
